from assets_cli.launch import main

main()

from assets_cli.cli import main

main()

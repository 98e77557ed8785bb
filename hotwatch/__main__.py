from hotwatch.cli import main

main()

from migralint.cli import main

main()

"""``python -m critmin``: the same command as the ``critmin`` script."""

from critmin.cli import main

if __name__ == "__main__":
    main()

"""``python -m critmin``: the same entry point as the ``critmin`` console script."""

from critmin.cli import main

if __name__ == "__main__":
    main()

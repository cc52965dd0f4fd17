"""``python -m critmin``: the same as the ``critmin`` command."""

from critmin.cli import main

if __name__ == "__main__":
    main()

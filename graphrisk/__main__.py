"""``python -m graphrisk``: the same command line as ``graphrisk`` (a venv without its script on PATH)."""

if __name__ == "__main__":  # not when pytest imports the module for its doctests
    from graphrisk.cli import main

    main(prog_name="graphrisk")

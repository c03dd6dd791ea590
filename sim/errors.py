"""The errors the library raises for input it cannot use.

Every one is a :class:`DataMarketError`; the command line prints it as one message and exits
with code 2, and a notebook shows the same message. Library code never exits or prints.
"""


class DataMarketError(Exception):
    """Input the simulator cannot use: a bad scenario, a missing file, a folder it may not write."""


class NotFoundError(DataMarketError):
    """A scenario, sweep spec or folder named by the user that does not exist."""


class FolderError(DataMarketError):
    """A folder that results cannot be written to, or read from, as asked."""


class SweepError(DataMarketError):
    """A sweep that cannot run or be analysed as asked (its folder, its outcomes)."""

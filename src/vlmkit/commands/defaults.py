"""`default_of(function, parameter)`: a command-line default read from the function it feeds.

Each default is written once, in the library function's signature; the command shows it in
`--help` and passes it on, so the CLI and Python callers can never disagree.
"""

import inspect


def default_of(function, parameter: str):
    default = inspect.signature(function).parameters[parameter].default
    if default is inspect.Parameter.empty:
        raise TypeError(f"{function.__qualname__}() has no default for {parameter!r}")
    return default

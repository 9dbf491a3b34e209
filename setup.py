"""Build hook: compile the detector's modules to C extensions with mypyc.

The package metadata lives in pyproject.toml; this file only adds the compiled modules. mypyc (the
compiler of the mypy project, which black and mypy itself ship compiled with) turns the same typed
Python source into C, which makes ``medcode detect`` 1.2 to 1.5 times as fast in the bench's runs
(bench/detect_results/README.md). The .py files stay in the package, so a module that is not compiled
runs as plain Python.

- ``pip install .`` compiles (needs a C compiler and the Python headers; without them the build falls
  back to plain Python and says so).
- ``pip install -e .`` (editable, for working on the code) does not compile: a built extension would
  shadow the .py file beside it, so edits would have no effect until the next build.
- ``MEDCODE_PURE=1`` skips compiling in any install.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
# every module of the detector except the package file and the gold-set reader used only for training
COMPILED = sorted(str(p.relative_to(HERE)) for p in (HERE / "src/medcode/detect").glob("*.py")
                  if p.name not in ("__init__.py", "learn.py"))


def _wanted() -> bool:
    if os.environ.get("MEDCODE_PURE", "") not in ("", "0"):
        return False
    # setuptools runs this file with the command it is asked for: "editable_wheel" for pip install -e
    return not any(arg.startswith(("editable", "develop")) for arg in sys.argv[1:])


class OptionalBuildExt(build_ext):
    """Build the extensions, or warn and go on without them: the plain .py modules are still there."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # noqa: BLE001 - no compiler, no headers: fall back to the pure package, whole
            # the compiled modules share one runtime library, so a part built alone would not import
            for ext in self.extensions:
                Path(self.get_ext_fullpath(ext.name)).unlink(missing_ok=True)
            print(f"medcode: compiling the detector failed ({exc}); it will run as plain Python",
                  file=sys.stderr)


ext_modules = []
if _wanted():
    try:
        from mypyc.build import mypycify
    except ImportError:  # the build requirements in pyproject.toml bring mypy; a manual build may not
        print("medcode: mypy is not installed, so the detector runs as plain Python", file=sys.stderr)
    else:
        # mypyc takes paths relative to the project and writes its C files under build/
        old = os.getcwd()
        os.chdir(HERE)
        try:
            ext_modules = mypycify(["--ignore-missing-imports", "--follow-imports=silent", *COMPILED], opt_level="3")
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - mypyc stops on a type error: build the pure package
            print(f"medcode: mypyc cannot compile the detector ({exc}); it will run as plain Python",
                  file=sys.stderr)
        finally:
            os.chdir(old)

setup(ext_modules=ext_modules, cmdclass={"build_ext": OptionalBuildExt})

"""``make install`` on a machine where it cannot install Debian packages (a developer's laptop, a service account).

Before, a missing package and no sudo ended in ``sudo: command not found`` and
``make: *** Error 127``. Now it names the packages, what each is for and the
command for an administrator, and goes on. Run for real as uid 65534 (root in
CI drops to it with ``setpriv``; a developer's own account is unprivileged
already).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def open_tmp() -> Iterator[Path]:
    """A folder uid 65534 can reach (pytest's own temporary folders are 0700 root's)."""
    folder = Path(tempfile.mkdtemp(prefix="sandbox-make-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _unprivileged() -> list[str]:
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is not installed: cannot drop to an unprivileged uid")
    return [shutil.which("setpriv") or "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def _make(tmp_path: Path, makefile: str, packages: str) -> subprocess.CompletedProcess[str]:
    """``make .make/apt`` of ``makefile`` as an unprivileged uid, with make, dpkg and a shell on PATH but no sudo."""
    work = tmp_path / "clone"
    work.mkdir()
    (work / "Makefile").write_text(makefile, encoding="utf-8")
    if os.geteuid() == 0:
        shutil.chown(work, 65534, 65534)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("make", "dpkg", "dpkg-query", "sh", "bash", "id", "mkdir", "touch"):
        found = shutil.which(tool)
        assert found, f"{tool} is needed for this test"
        (bin_dir / tool).symlink_to(found)
    env = {"PATH": str(bin_dir), "LANG": "C.UTF-8", "HOME": str(work)}
    return subprocess.run([*_unprivileged(), str(bin_dir / "make"), "-C", str(work), ".make/apt",
                           f"APT_PACKAGES={packages}"], env=env, capture_output=True, text=True, timeout=120,
                          check=False)


def test_missing_debian_packages_without_root_or_sudo_are_named_and_make_goes_on(open_tmp: Path) -> None:
    result = _make(open_tmp, (ROOT / "Makefile").read_text(encoding="utf-8"),
                   "bubblewrap sandbox-no-such-package chromium")
    assert result.returncode == 0, result.stderr
    assert "sandbox-no-such-package" in result.stderr
    assert "apt-get install --no-install-recommends sandbox-no-such-package" in result.stderr
    assert "Continuing without them" in result.stderr
    assert "bubblewrap" not in result.stderr  # installed here: not listed
    assert not (open_tmp / "clone" / ".make" / "apt").exists()  # checked again by the next make


def test_a_missing_package_the_product_needs_says_what_it_is_for(open_tmp: Path) -> None:
    """Pretend bubblewrap is missing (the check asks dpkg for a name that is not installed)."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8").replace("dpkg -s $$p ", "dpkg -s $$p-not-here ")
    result = _make(open_tmp, makefile, "bubblewrap")
    assert result.returncode == 0, result.stderr
    assert "bubblewrap: vendor models cannot be submitted or scored" in result.stderr
    assert "apt-get install --no-install-recommends bubblewrap" in result.stderr


def test_a_venv_other_accounts_cannot_start_is_reported_at_install(open_tmp: Path) -> None:
    """Root's pyenv Python under /root (0700): a service account got only 'Permission denied'."""
    if os.geteuid() != 0:
        pytest.skip("the check runs when root installs (for a service account)")
    work = open_tmp / "clone"
    (work / ".venv" / "bin").mkdir(parents=True)
    (work / ".make").mkdir()
    private = open_tmp / "private"  # like /root: only root may enter
    private.mkdir(mode=0o700)
    shutil.copy("/bin/true", private / "python3.11")  # accepts any arguments (compileall is not the point here)
    (work / ".venv" / "bin" / "python").symlink_to(private / "python3.11")
    shutil.copy(ROOT / "Makefile", work / "Makefile")
    for name in ("requirements.lock", "pyproject.toml"):
        (work / name).write_text("")
    for stamp in ("apt", "venv"):  # installed already: only the final step runs
        (work / ".make" / stamp).touch()
    result = subprocess.run(["make", "-C", str(work), "install"], capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert f"Other accounts cannot run this venv's Python ({private / 'python3.11'})" in result.stderr
    assert "make install PY=/usr/bin/python3" in result.stderr
    private.chmod(0o755)  # a system Python: nothing to say
    again = subprocess.run(["make", "-C", str(work), "install"], capture_output=True, text=True, timeout=120,
                           check=False)
    assert again.returncode == 0 and "Other accounts" not in again.stderr, again.stderr

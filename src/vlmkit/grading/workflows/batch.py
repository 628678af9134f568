"""The batch scheduler: many grading tasks at once, results in task order, progress as they land.

    results = run_tasks(grade_task, tasks, jobs=2)                          # threads, here
    results = run_tasks(grade_task, tasks, jobs=2, scheduler="tcp://...")   # one Dask task each

Either way the results come back to the one process that writes the gradebook. A task is a
(student folder, assignment, question, limits, executor) tuple; `run` is autograde's grade_task
(importable by Dask's workers, which the kit is installed on).
"""

from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from vlmkit.errors import KitError
from vlmkit.grading.workflows.progress import Progress


def _collect(tasks: list, futures: dict, completed, label: str) -> list:
    """Results in task order from {future: task index}, reporting progress as each one lands."""
    results = [None] * len(tasks)
    with Progress(len(tasks), label) as progress:
        for future in completed(futures):
            index = futures[future]
            results[index] = future.result()
            student_dir, _, question, _, _ = tasks[index]
            progress.done(f"{Path(student_dir).name}/{question.id}", results[index].status)
    return results


def run_tasks(run, tasks: list, jobs: int, scheduler=None, label: str = "grading") -> list:
    """`run(*task)` for every (student folder, assignment, question, limits, executor) task; the
    results in task order.

    Locally with `jobs` threads (each task is a sandboxed subprocess), or, given a scheduler
    address, as one Dask task per notebook on that cluster; either way the results come back
    here, to the one process that writes the gradebook, with progress as they arrive.
    """
    if scheduler:
        from distributed import Client
        from distributed import as_completed as dask_completed

        try:
            client = Client(scheduler, timeout="20s")
        except OSError as err:
            raise KitError(f"cannot reach the Dask scheduler at {scheduler} ({err})") from None
        with client:
            futures = {client.submit(run, *task, pure=False): i for i, task in enumerate(tasks)}
            return _collect(tasks, futures, dask_completed, label)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(run, *task): i for i, task in enumerate(tasks)}
        return _collect(tasks, futures, as_completed, label)

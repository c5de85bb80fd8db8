"""Run work in threads that start at the same moment, for the concurrency tests."""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


def run_at_once(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Call work(0) … work(count - 1), each in its own thread, released together. Returns, in
    order, what each call returned or the exception it raised; every thread closes its own
    database connection."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def target(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except BaseException as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def errors_in(results: list[Any]) -> list[BaseException]:
    return [result for result in results if isinstance(result, BaseException)]

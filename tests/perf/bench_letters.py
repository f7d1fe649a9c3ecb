"""Letters benchmark (not a timed test: it prints figures, asserts only correctness).

    make bench-letters                                   # SQLite: issue rate in sequence
    DATABASE_URL=postgres://… make bench-letters         # PostgreSQL: 16 threads contend

Prints the time to render one .docx and one PDF of a typical letter and the issue rate when
many connections issue at once. Runs on a throw-away test database, never on real data."""

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from discipline import letters, services
from discipline.letter_docx import render_docx
from discipline.models import Letter
from discipline.pdf import render_pdf
from tests.discipline.conftest import *  # noqa: F403 (the letter fixtures)
from tests.discipline.test_letter_numbering import _copies

THREADS = 16
LETTERS = 200
SEQUENTIAL = 50


def _timed(function, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times)


def _report(label: str, value: str) -> None:
    print(f"  {label:<44} {value}")


def test_render_one_docx_and_one_pdf(issued):
    letter = Letter.objects.select_related("authority", "drafting_unit", "signer").get(pk=issued.pk)
    document = letters.document_for(letter)
    context = {"document": document, "letter": letter, "screen": False}
    start = time.perf_counter()
    first_pdf = render_pdf("discipline/letters/letter_page.html", context)
    cold = time.perf_counter() - start
    docx_median, docx_max = _timed(lambda: render_docx(document), 20)
    pdf_median, pdf_max = _timed(
        lambda: render_pdf("discipline/letters/letter_page.html", context), 10
    )
    print(f"\nLetters benchmark on {connection.vendor}")
    _report(".docx, one letter (median / max of 20)", f"{docx_median:.3f} s / {docx_max:.3f} s")
    _report("PDF, one letter (median / max of 10)", f"{pdf_median:.3f} s / {pdf_max:.3f} s")
    _report("PDF, first render in a process (fonts)", f"{cold:.3f} s")
    assert first_pdf.startswith(b"%PDF")


@pytest.mark.django_db(transaction=True)
def test_issue_rate_alone_and_under_contention(serialized_rollback_db, draft, chief):
    alone = [*_copies(draft, SEQUENTIAL - 1), draft.pk]
    contended = _copies(draft, LETTERS)
    threads = THREADS if connection.vendor == "postgresql" else 1
    runs = [(alone, 1), (contended, threads)]
    for pks, count in runs:
        barrier = threading.Barrier(count)

        def worker(chunk, barrier=barrier):
            try:
                barrier.wait()  # every connection starts issuing at the same moment
                for pk in chunk:
                    services.issue_letter(letter=Letter(pk=pk), by=chief)
            finally:
                if threading.current_thread() is not threading.main_thread():
                    connection.close()

        start = time.perf_counter()
        with ThreadPoolExecutor(count) as pool:
            list(pool.map(worker, [pks[i::count] for i in range(count)]))
        elapsed = time.perf_counter() - start
        _report(
            f"issue {len(pks)} letters, {count} connection(s)",
            f"{elapsed:.2f} s = {len(pks) / elapsed:.0f} letters/s",
        )
    numbers = sorted(Letter.objects.values_list("number", flat=True))
    assert numbers == list(range(1, SEQUENTIAL + LETTERS + 1))
    _report("numbers", f"01..{SEQUENTIAL + LETTERS}, no gap, no duplicate")

"""Digits, Seq2seq and Compare in a real browser: open, train, see the main chart; their screenshots
are the README's (`make screenshots`)."""

import re
import time

import pytest

from rnnviz.data.digits import load_digits

pytestmark = pytest.mark.browser


def _train_and_wait(page, timeout=120_000, done_count=1):
    page.get_by_role("button", name=re.compile(r"\bTrain$")).click()
    page.get_by_text("status: done").nth(done_count - 1).wait_for(timeout=timeout)


@pytest.mark.screenshot
def test_digits_trains_and_shows_the_confusion_matrix(server, page, readme_screenshot):
    page.set_viewport_size({"width": 1400, "height": 3000})
    page.goto(server + "/digits")
    page.get_by_text("(1797, 8, 8)").wait_for()
    _train_and_wait(page)
    page.get_by_text(re.compile(r"Test accuracy: \d+\.\d%")).wait_for()
    page.get_by_text("Confusion matrix on the test images").wait_for()
    page.wait_for_timeout(1500)
    readme_screenshot(page, "screenshot-digits.png")


def test_digits_from_an_uploaded_mnist_style_csv(server, page, tmp_path):
    images, labels = load_digits()
    f = tmp_path / "my-digits.csv"
    header = "label," + ",".join(f"pixel{k}" for k in range(64))
    rows = [
        f"{labels[i]}," + ",".join(str(int(v)) for v in images[i].reshape(-1)) for i in range(300)
    ]
    f.write_text("\n".join([header, *rows]) + "\n")
    page.goto(server + "/digits")
    page.get_by_text("Upload images as rows (CSV)").click()
    with page.expect_file_chooser() as fc:
        page.get_by_test_id("stFileUploader").get_by_role(
            "button", name="Upload", exact=True
        ).click()
    fc.value.set_files(str(f))
    page.get_by_text("(300, 8, 8)").wait_for()
    _train_and_wait(page)
    page.get_by_text("Confusion matrix on the test images").wait_for()


@pytest.mark.screenshot
def test_seq2seq_trains_and_decodes_every_pair(server, page, readme_screenshot):
    page.set_viewport_size({"width": 1400, "height": 3000})
    page.goto(server + "/seq2seq?attention=true")
    _train_and_wait(page)
    page.get_by_text("(8/8 exact)").wait_for()
    page.get_by_text("Encoder: hidden state after each source token").wait_for()
    page.get_by_text("Attention: where each output token looked in the source").wait_for()
    page.wait_for_timeout(1500)
    readme_screenshot(page, "screenshot-seq2seq.png")


@pytest.mark.screenshot
def test_compare_trains_three_cells_and_draws_the_gradient(server, page, readme_screenshot):
    page.set_viewport_size({"width": 1400, "height": 2400})
    page.goto(server + "/compare")
    epochs = page.get_by_label("Epochs (the same budget for all three)")
    epochs.fill("10")
    epochs.press("Enter")
    page.wait_for_timeout(1000)
    # three jobs on a 2-core CI machine: one waits for a slot;
    # wait for all three to end, then say how
    page.get_by_role("button", name=re.compile(r"\bTrain$")).click()
    ended = page.get_by_text(re.compile(r"status: (done|stopped|diverged|failed)"))
    ended.nth(2).wait_for(timeout=240_000)
    assert ended.all_inner_texts() and all("status: done" in s for s in ended.all_inner_texts()), (
        ended.all_inner_texts()
    )
    page.get_by_text("Loss of each cell").wait_for()
    page.get_by_text("RNN after training").first.wait_for()
    page.wait_for_timeout(1500)
    readme_screenshot(page, "screenshot-compare.png")


@pytest.mark.parametrize("width, per_row", [(1366, 3), (800, 2)])
def test_compare_settings_wrap_in_a_narrow_window(server, page, width, per_row):
    """Three settings columns side by side where they fit; two per row at 800 px with the
    sidebar open, where three cut the checkboxes' labels ("The letter any...")."""
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(server + "/compare")
    columns = page.locator(".st-key-cp_settings [data-testid='stColumn']")
    columns.nth(2).wait_for()
    rows = 1 if per_row == 3 else 2
    deadline = time.monotonic() + 15  # the page's first drawing settles (its style comes with it)
    while True:
        boxes = [columns.nth(k).bounding_box() for k in range(3)]
        tops = {round(b["y"]) for b in boxes}
        wide = min(b["width"] for b in boxes) >= 200
        if (len(tops) == rows and wide) or time.monotonic() > deadline:
            break
        page.wait_for_timeout(250)
    assert len(tops) == rows and wide, boxes
    label = page.get_by_text("Letter anywhere")
    assert label.evaluate("e => e.scrollWidth <= e.clientWidth")  # whole, not cut

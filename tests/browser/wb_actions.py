"""What a person does with the workbench's widgets, by their ``key=`` (Streamlit's ``.st-key-<key>`` class).

Actions outside a form cause a script run and wait for it (:func:`wb_driver.rerun`);
actions inside a form (``in_form=True``) only change the browser's state until the
form's submit button is pressed.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Locator, Page

from tests.browser.wb_driver import error_boxes, login, open_page, rerun

__all__ = [
    "alerts",
    "as_user",
    "choose",
    "choose_many",
    "click",
    "fill",
    "pick_radio",
    "success_text",
    "switch_tab",
    "upload",
    "widget",
]


def widget(page: Page, key: str) -> Locator:
    """The element a widget with ``key=`` renders (the first one in the page)."""
    return page.locator(f".st-key-{key}").first


def click(page: Page, key: str, *, timeout_ms: float = 120_000) -> float:
    """Press a button (or a form's submit button) and wait for the run it causes."""
    button = widget(page, key).locator("button").first
    button.wait_for()
    return rerun(page, button.click, timeout_ms=timeout_ms)


def _type_and_pick(page: Page, box: Locator, option: str) -> None:
    """Open the dropdown, type to filter (long lists render only the visible options), click the match."""
    field = box.locator('input[role="combobox"]').first
    field.click()
    field.fill(option)
    page.locator('[role="option"]').filter(has_text=option).first.click()


def choose(page: Page, key: str, option: str, *, in_form: bool = False) -> None:
    """Pick the option whose text contains ``option`` in a selectbox (no run when it is already chosen)."""
    box = widget(page, key)
    if option in box.locator('input[role="combobox"]').first.input_value():
        return

    def pick() -> None:
        _type_and_pick(page, box, option)

    if in_form:
        pick()
    else:
        rerun(page, pick)


def choose_many(page: Page, key: str, options: list[str], *, in_form: bool = False) -> None:
    """Add the options whose text contains each of ``options`` to a multiselect (chosen ones are left)."""
    box = widget(page, key)
    for option in options:
        if box.locator("[data-tag]").filter(has_text=option).count():
            continue

        def pick(option: str = option) -> None:
            _type_and_pick(page, box, option)
            page.keyboard.press("Escape")

        if in_form:
            pick()
        else:
            rerun(page, pick)


def pick_radio(page: Page, key: str, label: str, *, in_form: bool = False) -> None:
    """Choose the radio option labelled ``label`` (no run when it is already chosen)."""
    option = widget(page, key).locator('label[data-testid="stRadioOption"]').filter(
        has_text=re.compile(f"^{re.escape(label)}$"))
    option.first.wait_for()
    if in_form or option.first.get_attribute("data-selected") == "true":
        option.first.click()
    else:
        rerun(page, option.first.click)


def fill(page: Page, key: str, text: str, *, in_form: bool = False) -> None:
    """Type into a text input, text area or number input (committed with Enter or Tab outside a form)."""
    field = widget(page, key).locator("textarea, input").first
    if not in_form and _same(field.input_value(), text):
        return  # an unchanged value causes no run
    field.fill(text)
    if not in_form:
        is_area = field.evaluate("el => el.tagName === 'TEXTAREA'")
        rerun(page, lambda: field.press("Tab" if is_area else "Enter"))


def _same(current: str, wanted: str) -> bool:
    if current == wanted:
        return True
    try:
        return float(current) == float(wanted)
    except ValueError:
        return False


def upload(page: Page, key: str, path: Path) -> None:
    """Give a file uploader a file, as a person choosing it in the file dialog would."""
    field = widget(page, key).locator("input[type=file]").first
    rerun(page, lambda: field.set_input_files(str(path)))


def switch_tab(page: Page, name: str) -> None:
    """Open a tab of ``st.tabs`` (client-side; no script run)."""
    page.get_by_role("tab", name=name, exact=True).click()


def alerts(page: Page, kind: str = "Success") -> list[str]:
    """Texts of the visible alert boxes of a kind: Success, Info, Warning, Error."""
    boxes = page.locator(f'[data-testid="stAlertContent{kind}"]')
    return [text.strip() for text in boxes.all_inner_texts()]


def success_text(page: Page, *, where: str) -> str:
    """The last success message; fails with the page's error boxes when there is none."""
    found = alerts(page, "Success")
    assert found, f"{where}: no success message; errors shown: {error_boxes(page)}"
    return found[-1]


def as_user(page: Page, base_url: str, username: str, *, page_title: str | None = None) -> None:
    """Start a fresh session as ``username`` (Chinese) and open a page from the menu."""
    login(page, base_url, username)
    if page_title is not None:
        open_page(page, page_title)

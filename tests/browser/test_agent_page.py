"""The agent page in a real Chromium (Debian's package, driven by Playwright) against a live server."""

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from serve.app import create_app
from serve.settings import Settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AGENT_KEY = "browser-agent-key"
AUTH = {"Authorization": f"Bearer {AGENT_KEY}"}
OUTPUT = Path(__file__).resolve().parents[1] / "output"
GAS = "Добрый день. В подъезде сильно пахнет газом, соседи волнуются."
LAUNCH_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make test installs it with apt)"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def live_server(served_models: Path, tmp_path: Path) -> Iterator[str]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'browser.db'}", models_dir=served_models, api_keys=f"agent:{AGENT_KEY}"
    )
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the server did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(live_server: str) -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        yield page
        browser.close()


def test_agent_page_queue_draft_check_suggestion_and_correction(live_server: str, page) -> None:
    from playwright.sync_api import expect

    OUTPUT.mkdir(exist_ok=True)
    httpx.post(f"{live_server}/v1/tickets", json={"text": "В чеке опечатка, мелочь, но поправьте."}, headers=AUTH)
    httpx.post(f"{live_server}/v1/tickets", json={"text": GAS}, headers=AUTH)
    page.goto(live_server + "/")
    # the page asks for the key once: a wrong one is refused, the right one opens the queue
    expect(page.locator("#key-form")).to_be_visible()
    page.locator("#api-key").fill("not-a-key")
    page.keyboard.press("Enter")
    expect(page.locator("#key-status")).to_have_text("ключ не подошёл")
    page.locator("#api-key").fill(AGENT_KEY)
    page.keyboard.press("Enter")
    expect(page.locator("#key-form")).to_be_hidden()
    top = page.locator("#queue li").first
    expect(top).to_contain_text("пахнет газом")
    expect(top).to_have_attribute("data-severity", "critical")
    top.locator("button.open").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#ticket")).to_be_visible()
    expect(page.locator("#ticket-severity")).to_have_text("critical")
    expect(page.locator("#ticket mark.signal-evidence", has_text="газом").first).to_be_visible()
    page.screenshot(path=str(OUTPUT / "agent-queue.png"))

    page.locator("#draft").focus()
    page.keyboard.type("Извините, но вы сами виноваты. Это не к нам, обратитесь в банк.")
    expect(page.locator("#verdict")).to_have_attribute("data-tone", "blame_shifting", timeout=10_000)
    expect(page.locator("mark.blame").first).to_be_visible()
    page.screenshot(path=str(OUTPUT / "agent-draft-flagged.png"))

    for _ in range(4):
        if page.locator("#verdict").get_attribute("data-tone") != "blame_shifting":
            break
        before = page.locator("#draft").input_value()
        page.locator("button.apply").first.click()
        expect(page.locator("#draft")).not_to_have_value(before)
        page.wait_for_timeout(800)
    expect(page.locator("#verdict")).not_to_have_attribute("data-tone", "blame_shifting", timeout=10_000)
    page.screenshot(path=str(OUTPUT / "agent-draft-fixed.png"))

    page.select_option("#tone-fix", "accountable")
    page.locator("#send-correction").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#correction-status")).to_contain_text("исправление сохранено #1")

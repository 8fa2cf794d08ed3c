"""Catching Content-Security-Policy violations in a Playwright page (browser tests)."""
from __future__ import annotations

# Runs before any page script, outside the page's CSP (Playwright injects it through the DevTools protocol).
_RECORDER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber);
});
"""


def watch_csp(page) -> list[str]:
    """A list that fills with every CSP violation the page reports (console messages and events)."""
    seen: list[str] = []
    page.add_init_script(_RECORDER)
    page.on("console", lambda message: seen.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text else None)
    return seen


def violations(page, seen: list[str]) -> list[str]:
    """Everything reported so far, including the current document's events."""
    try:
        events = page.evaluate("() => window.__cspViolations || []")
    except Exception:  # the page is navigating; its console messages are already in `seen`
        events = []
    return seen + [f"{page.url}: {event}" for event in events]

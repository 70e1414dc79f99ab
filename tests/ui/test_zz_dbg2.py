from tests.ui.conftest import login

def test_dbg(served, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    login(page, served.base_url, "qa-anna")
    page.goto(f"{served.base_url}/ui/calls/pbx-2001?client=default")
    print(page.evaluate("""() => [...document.querySelectorAll('.call-side > *, .call-main > *, main, .call-layout')].map(e => (e.id||e.className) + ' ' + e.getBoundingClientRect().width + ' ' + e.scrollWidth)"""), page.evaluate("document.documentElement.scrollWidth"))
    context.close()

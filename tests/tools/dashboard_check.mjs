// Drives golaunch's dashboard in Debian's headless chromium (playwright-core) for
// tests/cli/dashboard-linux_test.cpp and tests/bench/dashboard_bench.sh, and prints what it saw
// as one JSON object. Every wait is bounded; a step that fails is reported in "error" (exit 1).
//   node dashboard_check.mjs '{"url": "...?token=...", "restart": "a", "poke": "http://...",
//                              "failed": "c", "screenshot": "/path.png", "rounds": 1}'
// url: the URL golaunch printed. restart: a service to restart by its button. poke: a URL of a
// service that prints a line per request (the log latency). failed: a service whose bind
// failed (its timeline label is returned). rounds: how many page loads and pokes to time.
// bars: {"SERVICE": N}, wait until SERVICE's lane has N bars (builds and starts); every bar
// on the timeline is then returned (service, kind, width in px, title).
// expect: the number of services the table must show, every one ready, for a load to count
// (default: any, each with a state). Also returned: blocking_ms, the main thread's time beyond
// 50 ms in each long task (Total Blocking Time) during the last load and the pokes.
import { chromium } from 'playwright-core';
import http from 'node:http';

const options = JSON.parse(process.argv[2]);
const result = {};
const base = new URL(options.url);

// The status of a raw GET of `url` (a path is taken on the dashboard) with the given headers
// (fetch cannot set Host); no answer in 5 s is an error.
function status(url, headers = {}) {
    const target = new URL(url, base);
    return new Promise((resolve, reject) => {
        const request = http.get({ host: target.hostname, port: target.port,
                                   path: target.pathname + target.search, headers,
                                   timeout: 5000 }, (response) => {
            response.resume();
            resolve(response.statusCode);
        });
        request.on('timeout', () => request.destroy(new Error('no answer in 5 s')));
        request.on('error', reject);
    });
}

// WCAG 2.1 contrast, measured in the page as rendered: every visible element with text of its
// own against the background it is drawn on (the nearest opaque background of it or an
// ancestor, translucent ones composed over it), 4.5:1 for text (1.4.3; 3:1 for large text);
// the timeline's marks and legend keys against their panel, and the focus ring against the
// page, 3:1 (1.4.11). Returns how many were checked, the lowest ratios, and the failures.
function contrastAudit() {
    const parse = (css) => {
        const m = css.match(/rgba?\(([^)]+)\)/);
        if (!m) return null;
        const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
        return { r, g, b, a };
    };
    const over = (top, bottom) => ({
        r: top.r * top.a + bottom.r * (1 - top.a), g: top.g * top.a + bottom.g * (1 - top.a),
        b: top.b * top.a + bottom.b * (1 - top.a), a: 1,
    });
    const luminance = ({ r, g, b }) => {
        const lin = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
        return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    const ratio = (x, y) => {
        const [hi, lo] = [luminance(x), luminance(y)].sort((p, q) => q - p);
        return (hi + 0.05) / (lo + 0.05);
    };
    // The colour an element is drawn on: its own and its ancestors' backgrounds, composed.
    const backdrop = (element) => {
        const layers = [];
        for (let node = element; node; node = node.parentElement) {
            const colour = parse(getComputedStyle(node).backgroundColor);
            if (colour && colour.a > 0) {
                layers.push(colour);
                if (colour.a >= 1) break;
            }
        }
        let result = { r: 255, g: 255, b: 255, a: 1 }; // the canvas, if nothing is opaque
        for (const layer of layers.reverse()) result = over(layer, result);
        return result;
    };
    const visible = (element) => {
        const box = element.getBoundingClientRect();
        const style = getComputedStyle(element);
        return box.width > 0 && box.height > 0 && style.visibility !== 'hidden' &&
            style.display !== 'none' && !element.closest('.sr-only');
    };
    const out = { text: 0, min_text: Infinity, graphics: 0, min_graphic: Infinity, failures: [] };
    for (const element of document.body.querySelectorAll('*')) {
        const own = [...element.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== '');
        if (!own || !visible(element)) continue;
        const style = getComputedStyle(element);
        const size = parseFloat(style.fontSize);
        const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
        const value = ratio(over(parse(style.color), backdrop(element)), backdrop(element));
        ++out.text;
        out.min_text = Math.min(out.min_text, value);
        if (value < (large ? 3 : 4.5)) {
            out.failures.push(`text "${element.textContent.trim().slice(0, 40)}" ${value.toFixed(2)}:1`);
        }
    }
    for (const element of document.querySelectorAll('#timeline .mark, #timeline .bar, #legend .key')) {
        if (!visible(element)) continue;
        const value = ratio(backdrop(element), backdrop(element.parentElement));
        ++out.graphics;
        out.min_graphic = Math.min(out.min_graphic, value);
        if (value < 3) out.failures.push(`mark ${element.className} ${value.toFixed(2)}:1`);
    }
    // The focus ring of whatever the keyboard focused last (the caller tabs to a button).
    const focused = document.activeElement;
    if (focused && focused !== document.body) {
        const style = getComputedStyle(focused);
        const ring = style.outlineStyle === 'none' ? null : parse(style.outlineColor);
        const value = ring ? ratio(ring, backdrop(focused.parentElement)) : 0;
        ++out.graphics;
        out.min_graphic = Math.min(out.min_graphic, value);
        if (value < 3) out.failures.push(`focus ring of ${focused.tagName} ${value.toFixed(2)}:1`);
    } else {
        out.failures.push('no element has the keyboard focus');
    }
    out.min_text = Number(out.min_text.toFixed(2));
    out.min_graphic = Number(out.min_graphic.toFixed(2));
    return out;
}

const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 60000,
});
try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.addInitScript(() => {
        window.blockingMs = 0;
        new PerformanceObserver((list) => {
            for (const task of list.getEntries()) window.blockingMs += Math.max(0, task.duration - 50);
        }).observe({ type: 'longtask', buffered: true });
    });
    const pathWithToken = base.pathname + base.search;
    result.without_token = await status('/', { Host: base.host });
    result.foreign_host = await status(pathWithToken, { Host: `evil.example:${base.port}` });
    result.with_token = await status(pathWithToken, { Host: base.host });

    // Page load to the first services table (every service's state shown).
    result.load_ms = [];
    for (let round = 0; round < (options.rounds || 1); ++round) {
        const start = performance.now();
        await page.goto(options.url, { timeout: 30000 });
        await page.waitForFunction((expect) => {
            const rows = document.querySelectorAll('#services tbody tr');
            if (expect) {
                return rows.length === expect &&
                    [...rows].every((row) => row.querySelector('.col-state').textContent === 'ready');
            }
            return rows.length > 0 &&
                [...rows].every((row) => row.querySelector('.col-state').textContent !== '');
        }, options.expect || 0, { timeout: 30000, polling: 'raf' });
        result.load_ms.push(performance.now() - start);
    }
    result.services = await page.$$eval('#services tbody tr', (rows) => rows.map((row) => ({
        name: row.dataset.service,
        state: row.querySelector('.col-state').textContent,
        pid: row.querySelector('.col-pid').textContent,
    })));

    if (options.restart) {
        const row = `#services tr[data-service="${options.restart}"]`;
        const before = await page.textContent(`${row} .col-pid`);
        // By the keyboard, as a user without a mouse: focus the button, press Enter.
        await page.focus(`${row} .do-restart`);
        await page.keyboard.press('Enter');
        await page.waitForFunction(([selector, old]) => {
            const row = document.querySelector(selector);
            const pid = row.querySelector('.col-pid').textContent;
            return pid !== '' && pid !== old && row.querySelector('.col-state').textContent === 'ready';
        }, [row, before], { timeout: 30000 });
        result.restart = { before, after: await page.textContent(`${row} .col-pid`) };
    }

    if (options.poke) {
        result.log_ms = [];
        for (let round = 0; round < (options.rounds || 1); ++round) {
            const mark = `mark-${Date.now()}-${round}`;
            const start = performance.now();
            await status(`${options.poke}/${mark}`);
            await page.waitForFunction((text) => document.getElementById('logs').textContent.includes(text),
                                       mark, { timeout: 10000, polling: 'raf' });
            result.log_ms.push(performance.now() - start);
        }
    }

    result.blocking_ms = await page.evaluate(() => window.blockingMs);
    // The timeline is drawn from the event stream, which can arrive after the table's first
    // poll: with `expect`, its lanes are waited for (bounded) before they are counted.
    if (options.expect) {
        await page.waitForFunction((n) => document.querySelectorAll('#timeline .lane').length >= n,
                                   options.expect, { timeout: 30000 }).catch(() => {});
    }
    result.lanes = await page.$$eval('#timeline .lane', (lanes) => lanes.length);

    if (options.failed) {
        const label = `#timeline .lane[data-service="${options.failed}"] .bind-failed-label`;
        await page.waitForSelector(label, { timeout: 30000 });
        result.failed_bind = await page.textContent(label);
    }
    if (options.bars) {
        await page.waitForFunction((wanted) => Object.entries(wanted).every(([service, n]) =>
            document.querySelectorAll(`#timeline .lane[data-service="${service}"] .bar`).length >= n),
                                   options.bars, { timeout: 30000 });
        result.bars = await page.$$eval('#timeline .bar', (bars) => bars.map((bar) => ({
            service: bar.closest('.lane').dataset.service,
            kind: bar.classList.contains('build') ? 'build' : 'starting',
            width: bar.getBoundingClientRect().width,
            title: bar.title,
        })));
    }
    result.findings = await page.$$eval('#findings li', (items) => items.map((item) => item.textContent));
    // The first restart button, reached by the keyboard (Shift+Tab away, Tab back), so its ring
    // is the one a keyboard user sees (:focus-visible).
    await page.focus('#services tbody tr .do-restart');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    result.contrast = await page.evaluate(contrastAudit);
    if (options.screenshot) {
        await page.screenshot({ path: options.screenshot, fullPage: true });
    }
} catch (error) {
    result.error = String(error && error.message || error);
    process.exitCode = 1;
} finally {
    await browser.close();
}
console.log(JSON.stringify(result));

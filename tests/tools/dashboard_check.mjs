// Drives golaunch's dashboard in Debian's headless chromium (playwright-core) for
// tests/cli/dashboard-linux_test.cpp and tests/bench/dashboard_bench.sh, and prints what it saw
// as one JSON object. Every wait is bounded; a step that fails is reported in "error" (exit 1).
//   node dashboard_check.mjs '{"url": "...?token=...", "restart": "a", "poke": "http://...",
//                              "failed": "c", "screenshot": "/path.png", "rounds": 1}'
// url: the URL golaunch printed. restart: a service to restart by its button. poke: a URL of a
// service that prints a line per request (the log latency). failed: a service whose bind
// failed (its timeline label is returned). rounds: how many page loads and pokes to time.
import { chromium } from 'playwright-core';
import http from 'node:http';

const options = JSON.parse(process.argv[2]);
const result = {};
const base = new URL(options.url);

// A raw GET with the given headers (fetch cannot set Host): its status.
function status(path, headers) {
    return new Promise((resolve, reject) => {
        const request = http.get({ host: base.hostname, port: base.port, path, headers,
                                   timeout: 5000 }, (response) => {
            response.resume();
            resolve(response.statusCode);
        });
        request.on('timeout', () => request.destroy(new Error('no answer in 5 s')));
        request.on('error', reject);
    });
}

function get(url) {
    return new Promise((resolve, reject) => {
        http.get(url, { timeout: 5000 }, (response) => { response.resume(); resolve(response.statusCode); })
            .on('error', reject);
    });
}

const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 60000,
});
try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const pathWithToken = base.pathname + base.search;
    result.without_token = await status('/', { Host: base.host });
    result.foreign_host = await status(pathWithToken, { Host: `evil.example:${base.port}` });
    result.with_token = await status(pathWithToken, { Host: base.host });

    // Page load to the first services table (every service's state shown).
    result.load_ms = [];
    for (let round = 0; round < (options.rounds || 1); ++round) {
        const start = performance.now();
        await page.goto(options.url, { timeout: 30000 });
        await page.waitForFunction(() => {
            const rows = document.querySelectorAll('#services tbody tr');
            return rows.length > 0 &&
                [...rows].every((row) => row.querySelector('.col-state').textContent !== '');
        }, null, { timeout: 30000, polling: 'raf' });
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
            await get(`${options.poke}/${mark}`);
            await page.waitForFunction((text) => document.getElementById('logs').textContent.includes(text),
                                       mark, { timeout: 10000, polling: 'raf' });
            result.log_ms.push(performance.now() - start);
        }
    }

    if (options.failed) {
        const label = `#timeline .lane[data-service="${options.failed}"] .bind-failed-label`;
        await page.waitForSelector(label, { timeout: 30000 });
        result.failed_bind = await page.textContent(label);
    }
    result.findings = await page.$$eval('#findings li', (items) => items.map((item) => item.textContent));
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

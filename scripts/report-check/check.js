// Opens a runtime-arena HTML report in Debian's headless Chromium (playwright-core drives it; no
// browser is downloaded), checks that every chart image decoded and that the page logged no
// console error, and saves a full-page screenshot. Prints one JSON line; exit 0 only if all is well.
// Usage: node check.js REPORT.html SCREENSHOT.png [CHROMIUM]
'use strict';

const path = require('path');
const { chromium } = require('playwright-core');

async function main() {
  const [report, screenshot, executable = '/usr/bin/chromium'] = process.argv.slice(2);
  if (!report || !screenshot) {
    console.error('usage: node check.js REPORT.html SCREENSHOT.png [CHROMIUM]');
    process.exit(2);
  }
  const browser = await chromium.launch({
    executablePath: executable,
    // As root in a sandbox-less container; no background traffic on a closed network.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const errors = [];
  const requests = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
    page.on('pageerror', (err) => errors.push(String(err)));
    page.on('request', (req) => { if (!req.url().startsWith('file:') && !req.url().startsWith('data:')) requests.push(req.url()); });
    await page.goto('file://' + path.resolve(report), { waitUntil: 'load' });
    // <details> start closed: open them so the screenshot shows every table.
    await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
    const charts = await page.evaluate(() => Array.from(document.querySelectorAll('img.chart')).map((img) => ({
      alt: img.alt, complete: img.complete, width: img.naturalWidth, height: img.naturalHeight,
    })));
    const sections = await page.evaluate(() => Array.from(document.querySelectorAll('h2')).map((h) => h.id));
    const verdicts = await page.evaluate(() => Array.from(document.querySelectorAll('.verdict')).map((v) => v.textContent));
    await page.screenshot({ path: screenshot, fullPage: true });
    const broken = charts.filter((c) => !c.complete || c.width === 0 || c.height === 0);
    const ok = errors.length === 0 && requests.length === 0 && charts.length > 0 && broken.length === 0;
    console.log(JSON.stringify({ ok, charts, broken, console_errors: errors, network_requests: requests, sections, verdicts }));
    process.exitCode = ok ? 0 : 1;
  } finally {
    await browser.close();
  }
}

main().catch((err) => { console.error(err); process.exit(1); });

// Browser checks of the static site, in the system's Chromium (nothing downloads a browser).
// Usage: node check.mjs SITE_DIR PAGE... [--shots DIR]
// Serves SITE_DIR over HTTP on localhost (fonts load as on a real host), opens each page at
// 360x740 and prints one JSON object per page: axe-core violations (WCAG 2.x A/AA rules), the
// page's horizontal overflow, the smallest rendered text size, whether the first phone number
// reads left to right, the text drawn in a font that is not the page's own, and the document's
// lang/dir. With --shots, also writes a 360x740 screenshot per page.
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const args = process.argv.slice(2);
let shots = null;
const si = args.indexOf("--shots");
if (si >= 0) { shots = args[si + 1]; args.splice(si, 2); }
const [root, ...pages] = args;
const types = { ".html": "text/html; charset=utf-8", ".css": "text/css", ".woff2": "font/woff2",
  ".svg": "image/svg+xml", ".xml": "application/xml", ".pdf": "application/pdf", ".zip": "application/zip" };

const server = http.createServer((req, res) => {
  const rel = decodeURIComponent(new URL(req.url, "http://x").pathname);
  let file = path.join(root, rel);
  if (!file.startsWith(path.resolve(root))) { res.writeHead(403).end(); return; }
  if (rel.endsWith("/")) file = path.join(file, "index.html");
  fs.readFile(file, (err, data) => {
    if (err) { res.writeHead(404).end(); return; }
    res.writeHead(200, { "content-type": types[path.extname(file)] || "application/octet-stream" }).end(data);
  });
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const base = `http://127.0.0.1:${server.address().port}/`;
const dataDir = fs.mkdtempSync(path.join(process.env.TMPDIR || "/tmp", "leafpress-chromium-"));
// A fresh profile (the user-data-dir) every run, removed at the end.
const context = await chromium.launchPersistentContext(dataDir, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  viewport: { width: 360, height: 740 }, deviceScaleFactor: 1,
});
try {
  for (const p of pages) {
    const page = await context.newPage();
    await page.goto(base + p, { waitUntil: "load" });
    await page.evaluate(() => document.fonts.ready);
    await page.addScriptTag({ content: axeSource });
    const axe = await page.evaluate(async () => {
      const r = await window.axe.run(document, { runOnly: { type: "tag",
        values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] } });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ") + " " + n.failureSummary) }));
    });
    const metrics = await page.evaluate(() => {
      const hidden = (el) => el.closest(".visually-hidden, .skip");
      let min = Infinity, where = "";
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        if (!n.textContent.trim() || !el || hidden(el)) continue;
        let px;
        if (el instanceof SVGElement) {
          const t = el.closest("text");
          px = parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a;
        } else {
          px = parseFloat(getComputedStyle(el).fontSize);
        }
        if (px < min) { min = px; where = n.textContent.trim().slice(0, 40); }
      }
      const fonts = [...document.fonts].filter((f) => f.status === "loaded").length;
      // A phone number must read left to right on every page, right-to-left ones included:
      // the characters' boxes, in text order, must go from left to right.
      let telInOrder = null;
      const tel = document.querySelector('a[href^="tel:"]');
      if (tel) {
        const node = document.createTreeWalker(tel, NodeFilter.SHOW_TEXT).nextNode();
        const xs = [];
        for (let i = 0; i < node.textContent.length; i++) {
          if (node.textContent[i] === " ") continue;
          const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
          xs.push(r.getBoundingClientRect().left);
        }
        telInOrder = xs.every((x, i) => i === 0 || x > xs[i - 1]);
      }
      return { overflow: document.documentElement.scrollWidth - window.innerWidth,
        minTextPx: Math.round(min * 100) / 100, minTextWhere: where, fontsLoaded: fonts, telInOrder,
        lang: document.documentElement.lang, dir: document.documentElement.dir };
    });
    // Every piece of text must be drawn with the page's own fonts (its WOFF2 subsets): a
    // character missing from a subset would fall back to whatever the phone has.
    const cdp = await context.newCDPSession(page);
    await cdp.send("DOM.enable");
    await cdp.send("CSS.enable");
    const { root } = await cdp.send("DOM.getDocument", { depth: -1 });
    const { nodeIds } = await cdp.send("DOM.querySelectorAll", { nodeId: root.nodeId, selector: "body *" });
    const foreignFonts = [];
    for (const nodeId of nodeIds) {
      const { fonts } = await cdp.send("CSS.getPlatformFontsForNode", { nodeId });
      for (const f of fonts) {
        if (!f.isCustomFont) {
          const { outerHTML } = await cdp.send("DOM.getOuterHTML", { nodeId });
          foreignFonts.push(`${f.familyName} (${f.glyphCount} glyphs) in ${outerHTML.slice(0, 80)}`);
        }
      }
    }
    await cdp.detach();
    if (shots) {
      const name = p.replace(/(^|\/)index\.html$/, "").replace(/[^A-Za-z0-9-]+/g, "-") || "index";
      await page.screenshot({ path: path.join(shots, `site-${name}.png`) });
      const figure = page.locator("figure").first();
      if (await figure.count()) await figure.screenshot({ path: path.join(shots, `site-${name}-figure.png`) });
    }
    console.log(JSON.stringify({ page: p, violations: axe, foreignFonts, ...metrics }));
    await page.close();
  }
} finally {
  await context.close();
  server.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

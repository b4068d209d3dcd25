// Text as Firefox's pdf.js gets it: node extract.mjs a.pdf b.pdf ... -> JSON {path: text}.
// One process for many PDFs (starting node and pdf.js once is most of the cost).
import { readFile } from "node:fs/promises";
import { getDocument, VerbosityLevel } from "pdfjs-dist/legacy/build/pdf.mjs";

const out = {};
for (const path of process.argv.slice(2)) {
  const data = new Uint8Array(await readFile(path));
  const doc = await getDocument({ data, verbosity: VerbosityLevel.ERRORS, disableFontFace: true,
                                  useSystemFonts: false, isEvalSupported: false }).promise;
  const pages = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    const content = await page.getTextContent();
    pages.push(content.items.map((it) => (it.str ?? "") + (it.hasEOL ? "\n" : "")).join(""));
  }
  out[path] = pages.join("\n\f");
  await doc.destroy();
}
process.stdout.write(JSON.stringify(out));

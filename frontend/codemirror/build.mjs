/* Bundles index.js and CodeMirror into static/vendor/codemirror/codemirror.min.js (run by `npm run build`).

   One change to CodeMirror's style loader (style-mod): it puts the editor's own CSS in a <style> element,
   which the site's Content-Security-Policy (style-src 'self', no 'unsafe-inline') blocks, leaving an editor
   without layout. Constructed stylesheets (document.adoptedStyleSheets) are not inline styles, and style-mod
   already uses them inside shadow roots; the plugin lets it use them for the document too. The build fails if
   that line of style-mod ever changes, so an upgrade cannot silently drop the fix. */
import { build } from "esbuild";
import { readFile } from "node:fs/promises";

const ORIGINAL = "if (!root.head && root.adoptedStyleSheets && win.CSSStyleSheet) {";
const PATCHED = "if (root.adoptedStyleSheets && win.CSSStyleSheet) {";

const constructedStyles = {
  name: "style-mod-constructed-stylesheets",
  setup(b) {
    b.onLoad({ filter: /style-mod[\\/]src[\\/]style-mod\.js$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      if (!source.includes(ORIGINAL)) throw new Error(`style-mod changed: '${ORIGINAL}' not found in ${args.path}`);
      return { contents: source.replace(ORIGINAL, PATCHED), loader: "js" };
    });
  },
};

await build({
  entryPoints: ["index.js"],
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2019",
  legalComments: "none",
  banner: {
    js:
      "/* CodeMirror 6 (MIT, (c) Marijn Haverbeke and others, https://codemirror.net), Lezer (MIT), style-mod (MIT) " +
      "and Django Lab's frontend/codemirror/index.js, bundled by esbuild (frontend/codemirror/build.mjs). " +
      "Versions: frontend/codemirror/package-lock.json. Rebuild: make vendor-codemirror. */",
  },
  outfile: "../../static/vendor/codemirror/codemirror.min.js",
  plugins: [constructedStyles],
  logLevel: "info",
});

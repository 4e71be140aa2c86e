// Builds build/static/css/bootstrap.css: Bootstrap's Sass (assets/bootstrap.scss, only the
// parts the pages use), less every selector that none of our templates, scripts, Python or
// crispy-forms' templates can produce. `make assets` runs it after `npm ci`, passing the
// installed crispy-forms template folders as arguments:
//   node assets/build.mjs DIR...
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";
import { PurgeCSS } from "purgecss";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = path.join(root, "build", "static", "css", "bootstrap.css");
const extraDirs = process.argv.slice(2);

const compiled = sass.compile(path.join(root, "assets", "bootstrap.scss"), {
  loadPaths: [path.join(root, "node_modules")],
  style: "compressed",
  // Bootstrap 5.3 is written for Sass's @import and older built-ins: quiet about those.
  quietDeps: true,
  silenceDeprecations: ["import", "global-builtin", "color-functions"],
});

// Where a class can come from: our templates and scripts, class names our Python writes into
// HTML, and the bootstrap5 template pack that renders our forms.
const content = [
  "templates/**/*.html",
  "templates/**/*.jinja",
  "*/templates/**/*.html",
  "static/js/**/*.js",
  "{accounts,audit,practices,participants,safeguarding,referrals,reports}/**/*.py",
  "{programme,exchange,interchange,devdata,linksworker}/**/*.py",
  ...extraDirs.map((dir) => path.join(dir, "**/*.html")),
].map((glob) => (path.isAbsolute(glob) ? glob : path.join(root, glob)));

// Custom properties no rule of Bootstrap's reads are dropped too, except those our own
// stylesheet reads.
const ownCss = readFileSync(path.join(root, "static", "css", "links.css"), "utf8");
const ownVariables = [...new Set(ownCss.match(/--bs-[\w-]+/g) ?? [])];

const [result] = await new PurgeCSS().purge({
  content,
  css: [{ raw: compiled.css }],
  variables: true,
  safelist: {
    variables: ownVariables,
    standard: [
      // The navbar script's state classes (static/js/navbar.js).
      "show",
      "collapsing",
      "collapsed",
      // Class names a template builds from a value, so no file holds them whole:
      // "alert-{{ message.tags }}" (base.html; the message levels the views use),
      // "text-bg-{{ tone }}" and "text-bg-{% if … %}" (badges), "btn-{% if … %}danger…".
      /^alert-(success|info|warning|danger)$/,
      /^text-bg-(success|info|warning|danger|secondary)$/,
      /^btn-(outline-)?(primary|danger)$/,
    ],
  },
});

mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, result.css + "\n");
console.log(
  `${path.relative(root, out)}: ${result.css.length} bytes (Sass output ${compiled.css.length})`,
);

(() => {
"use strict";
// The web sheet's only script. The page is complete without it; this adds copy buttons,
// "copy all", search, tag chips, the download, printing the sheet, and the keys.
const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
document.documentElement.classList.add("js");

const status = $("#status");
let quiet = 0;
function say(message) {
  status.textContent = message;
  clearTimeout(quiet);
  quiet = setTimeout(() => { status.textContent = ""; }, 2500);
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (error) {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.append(area);
    area.select();
    let done = false;
    try { done = document.execCommand("copy"); } catch (ignored) { done = false; }
    area.remove();
    return done;
  }
}

// The compact sheet as markdown, exactly as `asyncsnip export --compact` writes it.
const ticks = (text) => Math.max(0, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
function codeSpan(text) {
  const fence = "`".repeat(ticks(text) + 1);
  const pad = text.includes("`") ? " " : "";
  return fence + pad + text + pad + fence;
}
const mdText = (text) => text.replaceAll("<", "\\<");
const mdCell = (text) => text.replaceAll("|", "\\|");
function sheetMarkdown() {
  const parts = [`# ${$("h1").textContent}`, `${$("header p").textContent}.`];
  for (const group of $$("#sheet .grp")) {
    const rows = ["| Pattern | Code |", "|---|---|"];
    for (const item of $$("p", group)) {
      const lines = $$("i", item).map((line) => mdCell(codeSpan(line.textContent.replace(/\n$/, ""))));
      rows.push(`| ${mdCell(mdText($("b", item).textContent))} | ${lines.join("<br>")} |`);
    }
    parts.push(`## ${mdText($("h2", group).textContent)}`, rows.join("\n"));
  }
  return parts.join("\n\n") + "\n";
}
async function copyAll() {
  say(await copyText(sheetMarkdown()) ? "Copied the compact sheet" : "Could not copy");
}

// Tag chips, and a copy button on every snippet, in the reference and on the sheet.
const articles = $$("#reference article");
const items = $$("#sheet .grp p");  // one per snippet, in the same order
for (const tags of $$("#reference .tags")) {
  tags.replaceChildren(...tags.textContent.split(" ").flatMap((tag, index) => {
    const chip = document.createElement("span");
    chip.className = "tag";
    chip.textContent = tag;
    return index ? [" ", chip] : [chip];
  }));
}
for (const see of $$("#reference .see")) {
  see.replaceChildren(...see.textContent.split(", ").flatMap((id, index) => {
    const link = document.createElement("a");
    link.href = `#${id}`;
    link.textContent = id;
    return index ? [", ", link] : [link];
  }));
}
const codeOf = (article) => $("pre.code code", article);
function copyButton(article) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "copy";
  button.textContent = "Copy";
  button.setAttribute("aria-label", `Copy the code of ${article.id}`);
  button.addEventListener("click", async () => {
    const ok = await copyText(codeOf(article).textContent);
    button.textContent = ok ? "Copied" : "Failed";
    setTimeout(() => { button.textContent = "Copy"; }, 1500);
  });
  return button;
}
articles.forEach((article, index) => {
  codeOf(article).parentElement.append(copyButton(article));
  if (items[index]) items[index].append(copyButton(article));
});

// Search: over id, title, summary, tags, section, API names, notes and the identifiers in
// the code; words in any order; "-", "_", "." and space alike; case and plurals alike.
function stem(word) {
  if (word.length > 3) {
    if (word.endsWith("ies")) return word.slice(0, -3) + "y";
    if (/(ss|sh|ch|x|z)es$/.test(word)) return word.slice(0, -2);
    if (word.endsWith("s") && !/(ss|us|is)$/.test(word)) return word.slice(0, -1);
  }
  return word;
}
function words(text) {
  return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean).map(stem);
}
const TOKEN = /#[^\n]*|[rbufRBUF]{0,2}("""|'''|"|')(?:\\[\s\S]|(?!\1)[\s\S])*?\1|([\p{L}_][\p{L}\p{N}_]*)/gu;
function identifiers(code) {
  return Array.from(code.matchAll(TOKEN), (m) => m[2] || "").join(" ");
}
const text = (el) => (el ? el.textContent : "");
const entries = articles.map((article, index) => {
  const section = article.closest("section");
  const fields = [
    article.id,
    text($("h3", article)),
    text($("h3 + p:not(.meta)", article)),
    text($(".tags", article)),
    section.id.replace(/^section-/, ""), text($("h2", section)),
    text($(".api", article)),
    text($(".notes", article)),
    identifiers(codeOf(article).textContent),
  ];
  return {
    article,
    item: items[index],
    tags: new Set($$(".tag", article).map(text)),
    haystack: " " + words(fields.join(" ")).join(" ") + " ",
  };
});

const search = $("#search");
const filters = $("#filters");
const chosen = new Set();
const total = entries.length;
const none = document.createElement("p");
none.className = "none";
none.hidden = true;
$("#reference").prepend(none);

function apply() {
  const needles = words(search.value);
  let shown = 0;
  for (const entry of entries) {
    const match = needles.every((w) => entry.haystack.includes(w))
      && [...chosen].every((tag) => entry.tags.has(tag));
    entry.article.hidden = !match;
    if (entry.item) entry.item.hidden = !match;
    shown += match;
  }
  for (const part of $$("#reference > section, #sheet .grp")) {
    part.hidden = !$$(":scope > article, :scope > p:not(.summary)", part).some((el) => !el.hidden);
  }
  const filtered = needles.length > 0 || chosen.size > 0;
  none.hidden = shown > 0;
  none.textContent = "No snippet matches.";
  if (filtered) say(`${shown} of ${total} snippets`);
  for (const chip of $$("#reference .tag")) chip.classList.toggle("on", chosen.has(chip.textContent));
  filters.replaceChildren(...[...chosen].map((tag) => {
    const chip = document.createElement("button");
    chip.type = "button";
    chip.className = "tag on";
    chip.textContent = tag;
    chip.setAttribute("aria-label", `Remove the tag filter ${tag}`);
    chip.addEventListener("click", () => { chosen.delete(tag); apply(); });
    return chip;
  }));
}
search.addEventListener("input", apply);
search.addEventListener("keydown", (event) => {
  if (event.key === "Escape") { search.value = ""; apply(); search.blur(); }
});
for (const chip of $$("#reference .tag")) {
  chip.setAttribute("role", "button");
  chip.tabIndex = 0;
  const toggle = () => {
    const tag = chip.textContent;
    if (chosen.has(tag)) chosen.delete(tag); else chosen.add(tag);
    apply();
  };
  chip.addEventListener("click", toggle);
  chip.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") { event.preventDefault(); toggle(); }
  });
}

// Download and print the compact sheet.
$("#download").addEventListener("click", () => {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([sheetMarkdown()], { type: "text/markdown" }));
  link.download = "asyncio-cheat-sheet.md";
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
});
const compact = $("#view-compact");
$("#print").addEventListener("click", () => {
  const before = $("input[name=view]:checked");
  compact.checked = true;
  window.print();
  before.checked = true;
});

// Keys: "/" search, "D" dense, "C" copy all; never while typing.
const dense = $("#dense");
document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
  const target = event.target;
  if (target.closest("input[type=search], input[type=text], textarea, select, [contenteditable]")) {
    return;
  }
  const key = event.key.toLowerCase();
  if (event.key === "/") {
    event.preventDefault();
    search.focus();
    search.select();
  } else if (key === "d") {
    dense.checked = !dense.checked;
    say(dense.checked ? "Dense on" : "Dense off");
  } else if (key === "c") {
    copyAll();
  }
});
$("#copy-all").addEventListener("click", copyAll);
})();

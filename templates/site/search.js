// The library's search: Pagefind's index of every article page, with its edition and section filters.
// Every word shown comes from the form's data- attributes (templates/strings), none from this file.
// Opened from disk (file://) the index cannot load; the status line then says search needs a server.

const form = document.getElementById("search");
if (form) {
  setUp(form);
}

async function setUp(form) {
  const status = document.getElementById("search-status");
  const list = document.getElementById("search-results");
  const words = form.elements.q;
  const edition = form.elements.edition;
  const section = form.elements.section;
  const root = new URL("../", import.meta.url); // this file is in assets/, one folder below the site's top
  if (root.protocol === "file:") {
    status.textContent = form.dataset.offline;
    return;
  }
  let pagefind;
  try {
    pagefind = await import(new URL("pagefind/pagefind.js", root).href);
    await pagefind.options({ baseUrl: root.pathname });
    await pagefind.init();
    const filters = await pagefind.filters();
    fill(edition, filters.edition);
    fill(section, filters.section);
  } catch (failure) {
    status.textContent = form.dataset.offline;
    return;
  }

  let latest = 0;
  async function run(debounce) {
    const ticket = ++latest;
    const query = words.value.trim();
    if (!query) {
      list.replaceChildren();
      status.textContent = "";
      return;
    }
    const chosen = {};
    if (edition.value) chosen.edition = edition.value;
    if (section.value) chosen.section = section.value;
    const found = debounce
      ? await pagefind.debouncedSearch(query, { filters: chosen }, 250)
      : await pagefind.search(query, { filters: chosen });
    if (found === null || ticket !== latest) return;
    const pages = await Promise.all(found.results.slice(0, 20).map((result) => result.data()));
    if (ticket !== latest) return;
    list.replaceChildren(...pages.map(item));
    const count = found.results.length;
    status.textContent =
      count === 0 ? form.dataset.none : count === 1 ? form.dataset.countOne : form.dataset.count.replace("{n}", String(count));
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run(false);
  });
  words.addEventListener("input", () => run(true));
  edition.addEventListener("change", () => run(false));
  section.addEventListener("change", () => run(false));
  const asked = new URLSearchParams(window.location.search).get("q");
  if (asked) {
    words.value = asked;
    run(false);
  }
}

function fill(select, counts) {
  for (const value of Object.keys(counts || {}).sort()) {
    const option = document.createElement("option");
    option.value = value;
    option.textContent = value;
    select.append(option);
  }
}

function item(page) {
  const entry = document.createElement("li");
  if (page.meta.language) entry.lang = page.meta.language;
  const link = document.createElement("a");
  link.href = page.url;
  link.textContent = page.meta.title;
  const where = document.createElement("span");
  where.className = "result-edition";
  where.textContent = page.meta.edition || "";
  entry.append(link, where, excerpt(page.excerpt));
  return entry;
}

// Pagefind's excerpt is HTML with <mark> around the words found: keep the marks, take all else as text.
function excerpt(html) {
  const out = document.createElement("p");
  const parsed = new DOMParser().parseFromString(html, "text/html");
  for (const node of parsed.body.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      out.append(mark);
    } else {
      out.append(document.createTextNode(node.textContent));
    }
  }
  return out;
}

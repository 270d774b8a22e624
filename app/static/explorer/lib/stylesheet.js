// A view's own stylesheet, added once as a <link> (the CSP allows style from our origin only,
// so no <style> element and no style attribute): the first page does not load the CSS of
// views it does not show. The promise settles when the sheet has loaded (or failed to).

const sheets = new Map();

export function useStylesheet(url, { id } = {}) {
  const href = String(url);
  if (!sheets.has(href)) {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    if (id) link.id = id;
    sheets.set(
      href,
      new Promise((resolve) => {
        link.addEventListener("load", resolve, { once: true });
        link.addEventListener("error", resolve, { once: true }); // unstyled beats unshown
      }),
    );
    document.head.append(link);
  }
  return sheets.get(href);
}

// Building the DOM safely: every text goes in through textContent, every attribute through setAttribute, every
// handler through addEventListener. Document contents are hostile, so nothing here ever parses HTML, and the
// Content-Security-Policy forbids inline styles and handlers anyway.

const PROPERTIES = new Set(["value", "checked", "disabled", "hidden", "selected", "multiple", "required",
  "readOnly", "indeterminate", "open"]);

/**
 * Create an element: h("button", {class: "primary", type: "button", on: {click: fn}}, "Opslaan").
 * Props: class (string or array), text, on {event: handler}, dataset {key: value}, PROPERTIES as properties,
 * anything else as an attribute (null/false leaves it out, true sets it empty).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") {
      const names = Array.isArray(value) ? value.filter(Boolean) : String(value).split(/\s+/).filter(Boolean);
      el.classList.add(...names);
    } else if (key === "text") {
      el.textContent = String(value);
    } else if (key === "on") {
      for (const [event, handler] of Object.entries(value)) el.addEventListener(event, handler);
    } else if (key === "dataset") {
      for (const [name, item] of Object.entries(value)) {
        if (item !== undefined && item !== null) el.dataset[name] = String(item);
      }
    } else if (PROPERTIES.has(key)) {
      el[key] = value;
    } else if (key === "for") {
      el.htmlFor = String(value);
    } else if (key === "style" || key.startsWith("on") || key === "innerHTML" || key === "srcdoc") {
      throw new Error(`h(): ${key} is not allowed`);
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

/** Append children: nodes, strings (as text), numbers, arrays of them; null/undefined/false are skipped. */
export function append(parent, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replace all children of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

let counter = 0;

/** A document-unique id for label/aria wiring. */
export function uid(prefix = "id") {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** Say something to screen readers through the polite live region. */
export function announce(message) {
  const region = document.getElementById("announcer");
  if (!region) return;
  region.textContent = "";
  // A fresh text node in the next frame makes screen readers announce a repeated message too.
  requestAnimationFrame(() => { region.textContent = message; });
}

/** Debounce a function: runs `wait` ms after the last call. */
export function debounce(fn, wait) {
  let timer = null;
  const debounced = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), wait);
  };
  debounced.cancel = () => clearTimeout(timer);
  return debounced;
}

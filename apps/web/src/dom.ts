/** The element with this id; the page's HTML defines every id the scripts use. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`#${id} is missing from index.html`);
  return element as T;
}

/** Creates an element with text content and attributes. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

/** An error as people should read it: the message, then the hint. */
export function describeError(error: unknown): string {
  const { message, hint } = error as { message?: string; hint?: string };
  const text = message ?? String(error);
  return hint ? `${text} ${hint}` : text;
}

/** Calls `onFiles` with files dropped on `zone`. */
export function onDrop(zone: HTMLElement, onFiles: (files: File[]) => void): void {
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    onFiles(Array.from(event.dataTransfer?.files ?? []));
  });
}

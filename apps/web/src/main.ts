import './style.css';
import { initBackend } from '@lstmkit/model';
import { byId, describeError } from './dom';
import { setUpReportView } from './report-view';
import { setUpTrainView } from './train-view';
import { openServedModel, setUpTryView } from './try-view';
import { wasmPaths } from './wasm-paths';

/** Tabs per the WAI-ARIA pattern: arrow keys move between them, Tab into the panel. */
function setUpTabs(): void {
  const tabs = Array.from(byId('tabs').querySelectorAll<HTMLButtonElement>('[role="tab"]'));
  const select = (tab: HTMLButtonElement, focus: boolean) => {
    for (const other of tabs) {
      const selected = other === tab;
      other.setAttribute('aria-selected', String(selected));
      other.tabIndex = selected ? 0 : -1;
      byId(other.getAttribute('aria-controls')!).hidden = !selected;
    }
    if (focus) tab.focus();
    history.replaceState(null, '', `#${tab.id.replace('tab-', '')}`);
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => select(tab, false));
    tab.addEventListener('keydown', (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1, Home: -i, End: tabs.length - 1 - i }[event.key];
      if (step === undefined) return;
      event.preventDefault();
      select(tabs[(i + step + tabs.length) % tabs.length]!, true);
    });
  });
  const initial = tabs.find((tab) => tab.id === `tab-${location.hash.slice(1)}`);
  if (initial) select(initial, false);
}

async function main(): Promise<void> {
  setUpTabs();
  setUpTryView();
  setUpReportView();
  setUpTrainView();
  const status = byId('model-status');
  try {
    await initBackend({
      backend: 'wasm',
      wasmPaths,
      log: (line) => {
        document.body.dataset.backend = line;
      },
    });
  } catch (error) {
    status.textContent = describeError(error);
    return;
  }
  // Served by `lstmkit serve`: open its model straight away.
  if (!(await openServedModel())) status.textContent = 'No model open: open a bundle or train one.';
  document.body.dataset.ready = 'true';
}

void main();

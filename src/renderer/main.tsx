import { render } from 'preact';
import { App } from './app.tsx';
import { createBridge } from './bridge.ts';
import { AppStore, StoreContext } from './store.ts';

const store = new AppStore(createBridge());
const root = document.getElementById('app');
if (root) {
  render(
    <StoreContext.Provider value={store}>
      <App />
    </StoreContext.Provider>,
    root,
  );
}

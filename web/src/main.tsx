import { render } from 'preact';
import 'uplot/dist/uPlot.min.css';
import { App } from './App';
import './styles.css';

const root = document.getElementById('app')!;
// The "Loading" line of index.html is there until the script runs; the app replaces it.
root.replaceChildren();
render(<App />, root);

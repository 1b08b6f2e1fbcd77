// Dashboard entry: one live model, one live feed connection, one page.

import { render } from 'preact';
import { App } from './components/app.js';
import { connectLive } from './live-client.js';
import { LiveModel } from './live-model.js';
import './styles.css';

const model = new LiveModel();
const live = connectLive(model);
const root = document.getElementById('app');
if (root !== null) render(<App model={model} live={live} />, root);

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import { PAGE_CSS } from './page-css.js';
import { PAGE_SCRIPT } from './page-script.js';

/** The page's only external script, shipped in the `htmx.org` package and served from here (no CDN). */
const HTMX = readFileSync(createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'), 'utf8');

const ASSETS: Record<string, { type: string; body: string }> = {
  'htmx.min.js': { type: 'text/javascript; charset=utf-8', body: HTMX },
  'page.js': { type: 'text/javascript; charset=utf-8', body: PAGE_SCRIPT },
  'page.css': { type: 'text/css; charset=utf-8', body: PAGE_CSS },
};

/** Serves `/assets/…`: the stylesheet and scripts, open to anyone (they hold no fleet data). */
export function registerAssets(app: FastifyInstance): void {
  app.get<{ Params: { name: string } }>('/assets/:name', async (request, reply) => {
    const asset = ASSETS[request.params.name];
    if (!asset) return reply.code(404).type('text/plain').send('no such asset');
    return reply.type(asset.type).header('cache-control', 'public, max-age=3600').send(asset.body);
  });
}

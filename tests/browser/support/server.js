'use strict';
/*
 * A static file server as small as the plain hosts the archive is published
 * on: a folder's index.html, a redirect to add a missing slash, 404.html
 * with status 404, and nothing outside the folder.
 */
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.xml': 'application/xml; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

function send(response, status, file) {
  response.writeHead(status, {
    'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream',
  });
  fs.createReadStream(file).pipe(response);
}

/* Serves dir on 127.0.0.1 at a free port; resolves to { origin, close() }. */
function serve(dir) {
  const root = path.resolve(dir);
  const server = http.createServer((request, response) => {
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(request.url, 'http://127.0.0.1').pathname);
    } catch {
      response.writeHead(400).end();
      return;
    }
    const file = path.join(root, path.normalize(pathname));
    if (file !== root && !file.startsWith(root + path.sep)) {
      response.writeHead(403).end();
      return;
    }
    fs.stat(file, (error, stat) => {
      if (!error && stat.isDirectory()) {
        if (!pathname.endsWith('/')) {
          response.writeHead(301, { Location: `${request.url.split('?')[0]}/` }).end();
          return;
        }
        const index = path.join(file, 'index.html');
        if (fs.existsSync(index)) {
          send(response, 200, index);
          return;
        }
      } else if (!error && stat.isFile()) {
        send(response, 200, file);
        return;
      }
      send(response, 404, path.join(root, '404.html'));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        origin: `http://127.0.0.1:${server.address().port}`,
        close: () => new Promise((done) => server.close(done)),
      });
    });
  });
}

module.exports = { serve };

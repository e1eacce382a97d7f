/* Nuanxin's service worker (rendered by core/offline.py; read its docstring first).
   It keeps small voucher cards for the counter when the signal is gone, and the rider's day pass until local
   midnight, and nothing else: every page other than a voucher page or the pass goes to the network exactly as
   without a worker. */
"use strict";

const W = {{ worker|tojson }};
const VOUCHER = new RegExp(W.voucher);
const CARD = new RegExp(W.card);
const STATUS = new RegExp(W.status);
let drops = 0;  // how many times the cards were dropped: a card fetched before a drop is not kept after it

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(W.static_cache).then((cache) => cache.addAll(W.precache)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((name) => name.startsWith("nuanxin-static-") && name !== W.static_cache)
      .map((name) => caches.delete(name))))
    );  // no clients.claim(): a page becomes controlled at its next real navigation, never in the middle of a tap
});

/* The voucher page asks to keep its card ({type: "keep-card", url}); any page may ask to drop them all. */
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "keep-card" && typeof data.url === "string") {
    const match = new URL(data.url, self.location.href).pathname.match(CARD);
    // the page hears whether its card is kept ({type: "card-kept", url, kept}); offline.js needs no answer
    if (match) event.waitUntil(keepCard(match[1]).then((kept) => {
      if (event.source) event.source.postMessage({type: "card-kept", url: data.url, kept});
    }));
  } else if (data.type === "drop-cards") {
    event.waitUntil(dropCards());
  } else if (data.type === "check-cards") {
    event.waitUntil(checkCards());
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && W.session_changes.includes(url.pathname)) {
    event.waitUntil(dropCards());  // log-out, log-in, account deletion: the request itself goes on untouched
    return;
  }
  if (request.method !== "GET") return;
  if (W.precache.includes(url.pathname)) {
    event.respondWith(caches.match(request, {ignoreVary: true}).then((kept) => kept || fetch(request)));
    return;
  }
  let match = url.pathname.match(STATUS);
  if (match) {
    const id = match[1];
    event.respondWith(watched(fetch(request), id).then((response) => {
      if (response.status === 204) event.waitUntil(refreshIfOld(id));  // still usable: keep "last checked" fresh
      return response;
    }));
    return;
  }
  match = url.pathname.match(VOUCHER);
  if (match) event.respondWith(voucherPage(request, match[1]));
  else if (url.pathname === W.pass) event.respondWith(passPage(event));
});

/* The day pass from the network, kept (whole page, not an htmx answer) until the X-Pass-Until its answer names
   (local midnight); without a network, the kept pass while that time has not come by the phone's clock, else
   (for a page load) the offline page. A log-in redirect or a refusal means the session is gone: drop all. */
async function passPage(event) {
  const request = event.request;
  const asked = drops;
  let response;
  try {
    response = await fetch(request);
  } catch (failure) {
    const kept = await (await caches.open(W.pass_cache)).match(W.pass, {ignoreVary: true});
    const until = Date.parse((kept && kept.headers.get("X-Pass-Until")) || "");
    if (kept && !(until > Date.now())) await caches.delete(W.pass_cache);  // yesterday's pass is never shown
    const usable = kept && until > Date.now() ? kept : null;
    if (request.headers.get("HX-Request")) {
      if (usable) return new Response("", {status: 200, headers: {"HX-Redirect": W.pass}});
      throw failure;
    }
    if (request.mode !== "navigate") throw failure;
    return usable || offlinePage();
  }
  if (response.type === "opaqueredirect" || response.redirected || response.status === 401
      || response.status === 403) {
    event.waitUntil(dropCards());
  } else if (response.status === 200 && response.headers.get("X-Pass-Until") && !request.headers.get("HX-Request")) {
    const copy = response.clone();
    event.waitUntil(copy.blob().then(async (body) => {
      if (drops !== asked) return;  // dropped (a log-out) while the pass was on its way: not kept
      await (await caches.open(W.pass_cache)).put(W.pass, new Response(body, {status: 200, headers: copy.headers}));
    }));
  }
  return response;
}

function cardUrl(id) {
  return W.card_url.replace(W.sample_id, id);
}

/* What the server's answer says about the kept cards: a final voucher (the poll's 286), one that is gone
   (404) or a session that ended (a log-in redirect, 401, 403) removes them. Returns the answer untouched. */
async function watched(answer, id) {
  const response = await answer;
  const toLogin = (response.redirected && new URL(response.url).pathname === W.login)
    || (response.headers.get("HX-Redirect") || "").split("?")[0].endsWith(W.login);
  if (toLogin || response.status === 401 || response.status === 403) {
    await dropCards();
  } else if (response.status === 286 || response.status === 404 || response.status === 410) {
    await (await caches.open(W.cache)).delete(cardUrl(id), {ignoreVary: true});
  }
  return response;
}

/* The voucher page from the network; without a network, its kept card if it is still usable, else (for a
   page load) the offline page. htmx's boosted fetch is answered with HX-Redirect, so the browser loads the
   page as a whole and gets the card (it shows with its own styles, not swapped into another page). */
async function voucherPage(request, id) {
  try {
    return await watched(fetch(request), id);
  } catch (failure) {
    const card = await usableCard(id);
    if (request.headers.get("HX-Request")) {
      if (card) return new Response("", {status: 200, headers: {"HX-Redirect": new URL(request.url).pathname}});
      throw failure;
    }
    if (request.mode !== "navigate") throw failure;
    return card || offlinePage();
  }
}

async function usableCard(id) {
  const cache = await caches.open(W.cache);
  const card = await cache.match(cardUrl(id), {ignoreVary: true});
  if (!card) return null;
  const expires = Date.parse(card.headers.get("X-Voucher-Expires") || "");
  if (card.headers.get("X-Voucher-State") !== "issued" || !(expires > Date.now())) {
    await cache.delete(cardUrl(id), {ignoreVary: true});  // redeemed, cancelled or expired: never shown as usable
    return null;
  }
  return card;
}

/* Fetch the card and keep it if its voucher is issued (stamped with the time it was kept), keeping the
   W.keep most recent; otherwise remove it. No network: the kept card stays as it was. True when it was kept. */
async function keepCard(id) {
  const url = cardUrl(id);
  const asked = drops;
  let response;
  try {
    response = await fetch(url, {credentials: "same-origin", cache: "no-store", redirect: "manual"});
  } catch (offline) {
    return false;
  }
  if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
    await dropCards();  // the session is gone: nothing of it stays on the phone
    return false;
  }
  const body = await response.blob();
  if (drops !== asked) return false;  // the cards were dropped (a log-out) while this one was on its way: not kept
  const cache = await caches.open(W.cache);
  if (response.status !== 200 || response.headers.get("X-Voucher-State") !== "issued") {
    await cache.delete(url, {ignoreVary: true});
    return false;
  }
  const headers = new Headers(response.headers);
  headers.set("X-Card-Kept", String(Date.now()));
  await cache.put(url, new Response(body, {status: 200, headers}));
  const kept = await Promise.all((await cache.keys()).map(async (key) => {
    const card = await cache.match(key, {ignoreVary: true});
    return {key, at: Number(card && card.headers.get("X-Card-Kept")) || 0};
  }));
  kept.sort((a, b) => b.at - a.at);
  await Promise.all(kept.slice(W.keep).map((old) => cache.delete(old.key, {ignoreVary: true})));
  return true;
}

/* A kept card older than W.refresh_ms is fetched again (a card that is not kept is left alone). */
async function refreshIfOld(id) {
  const card = await (await caches.open(W.cache)).match(cardUrl(id), {ignoreVary: true});
  if (card && Date.now() - (Number(card.headers.get("X-Card-Kept")) || 0) >= W.refresh_ms) await keepCard(id);
}

/* Any page of a signed-in user asks (at most once every W.refresh_ms): each kept card's voucher is asked for
   its status, so one cancelled by the programme, redeemed or refunded since is dropped even if its own page is
   never opened again (a final status, 286, or a 404 drops it; a session that ended drops them all). */
let lastCheck = 0;

async function checkCards() {
  if (Date.now() - lastCheck < W.refresh_ms) return;
  lastCheck = Date.now();
  const keys = await (await caches.open(W.cache)).keys();
  const ids = keys.map((key) => new URL(key.url).pathname.match(CARD)).filter(Boolean).map((match) => match[1]);
  for (const id of ids) {
    try {
      await watched(fetch(W.status_url.replace(W.sample_id, id), {headers: {"HX-Request": "true"},
        credentials: "same-origin", cache: "no-store"}), id);
    } catch (offline) {
      return;  // no network: the cards stay as they were
    }
  }
}

async function dropCards() {  // and the day pass: nothing of an ended session stays on the phone
  drops += 1;
  await Promise.all([caches.delete(W.cache), caches.delete(W.pass_cache)]);
}

async function language() {
  let chosen = null;
  try {
    const cookie = self.cookieStore && await self.cookieStore.get("lang");
    chosen = cookie && cookie.value;
  } catch (unavailable) { /* no Cookie Store API: the phone's language decides */ }
  const phone = (self.navigator.language || "").slice(0, 2);
  for (const candidate of [chosen, phone, W.default_language]) {
    if (candidate && W.words[candidate]) return candidate;
  }
  return Object.keys(W.words)[0];
}

async function offlinePage() {
  const t = W.words[await language()];
  const html = `<!doctype html><html lang="${t.html_lang}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${t.title}</title>` +
    `<link rel="stylesheet" href="${W.css}"></head><body><main class="page"><h1>${t.title}</h1>` +
    `<p>${t.body}</p><p><a class="button" href="">${t.retry}</a></p></main></body></html>`;
  return new Response(html, {status: 503, headers: {
    "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'"}});
}

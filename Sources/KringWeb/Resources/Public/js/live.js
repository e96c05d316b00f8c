// Live updates (Server-Sent Events from /live): new replies appear in the topic being read, the
// unread-notification count and, for moderators, the review queue notice update without a reload.
// The events carry numbers only; the replies themselves come from the topic page, as the reader may see it.
(() => {
  const body = document.body;
  if (!body || !body.dataset.live || !window.EventSource) return;
  const topic = body.dataset.liveTopic;
  const url = '/live' + (topic ? '?topic=' + encodeURIComponent(topic) : '');
  let source = null;
  const status = document.getElementById('live-status');
  const say = (text) => { if (status) status.textContent = text; };

  const onReply = async (event) => {
    const number = JSON.parse(event.data).number;
    if (document.getElementById('post-' + number)) return;
    const response = await fetch(location.pathname + location.search, { credentials: 'same-origin' });
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), 'text/html');
    const shown = document.querySelectorAll('section[id^="post-"]');
    let anchor = shown[shown.length - 1];
    if (!anchor) return;
    let added = 0;
    for (const post of page.querySelectorAll('section[id^="post-"]')) {
      if (document.getElementById(post.id)) continue;
      const node = document.importNode(post, true);
      node.classList.add('is-live');
      anchor.after(node);
      anchor = node;
      added += 1;
    }
    if (added > 0) say(body.dataset.liveReplyText || 'New reply');
  };

  const onNotifications = (event) => {
    const unread = JSON.parse(event.data).unread;
    const link = document.getElementById('notifications-link');
    if (!link) return;
    let badge = document.getElementById('unread-count');
    if (!badge) {
      badge = document.createElement('span');
      badge.className = 'count-badge';
      badge.id = 'unread-count';
      link.append(badge);
    }
    badge.textContent = String(unread);
    badge.hidden = unread === 0;
  };

  const onQueue = () => {
    const notice = document.getElementById('queue-changed');
    if (notice) notice.hidden = false;
  };

  const open = () => {
    if (source) return;
    source = new EventSource(url);
    source.addEventListener('reply', onReply);
    source.addEventListener('notifications', onNotifications);
    source.addEventListener('queue', onQueue);
  };
  // A page kept in the back/forward cache must not keep its stream: browsers allow a few
  // connections per site, and parked pages would use them up.
  window.addEventListener('pagehide', () => {
    if (source) source.close();
    source = null;
  });
  window.addEventListener('pageshow', (event) => { if (event.persisted) open(); });
  open();
})();

// web-browser.js: drives headless Chromium through the DevTools protocol
// over --remote-debugging-pipe (no npm packages needed) and prints TAP.
//   node web-browser.js LINK STAFF_BASE ARTIFACT_DIR USER_DATA_DIR
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');

const [link, staffBase, artifacts, userData] = process.argv.slice(2);
const chrome = spawn(process.env.CHROMIUM || '/usr/bin/chromium', [
	'--headless', '--no-sandbox', '--disable-gpu',
	'--disable-background-networking', '--disable-component-update',
	'--disable-sync', '--no-first-run', '--disable-extensions',
	`--user-data-dir=${userData}`, '--remote-debugging-pipe',
	'--window-size=1280,900', 'about:blank',
], { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });

const out = chrome.stdio[3], inp = chrome.stdio[4];
let nextId = 1, buf = '';
const pending = new Map(), waiters = [];
inp.on('data', (d) => {
	buf += d.toString('utf8');
	let i;
	while ((i = buf.indexOf('\0')) >= 0) {
		const msg = JSON.parse(buf.slice(0, i));
		buf = buf.slice(i + 1);
		if (msg.id && pending.has(msg.id)) {
			const { resolve, reject } = pending.get(msg.id);
			pending.delete(msg.id);
			msg.error ? reject(new Error(msg.error.message)) :
			    resolve(msg.result);
		} else if (msg.method) {
			for (let k = waiters.length - 1; k >= 0; k--)
				if (waiters[k].method === msg.method) {
					waiters[k].resolve(msg.params);
					waiters.splice(k, 1);
				}
		}
	}
});
let session;
function send(method, params = {}, sid = session) {
	const id = nextId++;
	const m = { id, method, params };
	if (sid) m.sessionId = sid;
	out.write(JSON.stringify(m) + '\0');
	return new Promise((resolve, reject) =>
	    pending.set(id, { resolve, reject }));
}
function waitFor(method, ms = 15000) {
	return new Promise((resolve, reject) => {
		const w = { method, resolve };
		waiters.push(w);
		setTimeout(() => reject(new Error(`timeout: ${method}`)), ms);
	});
}
async function go(url) {
	const loaded = waitFor('Page.loadEventFired');
	await send('Page.navigate', { url });
	await loaded;
}
async function evaluate(expr) {
	const r = await send('Runtime.evaluate',
	    { expression: expr, returnByValue: true });
	return r.result.value;
}
// A promise's value (fetch), evaluated as the page's own code would be.
async function evaluateAsync(expr) {
	const r = await send('Runtime.evaluate',
	    { expression: expr, returnByValue: true, awaitPromise: true });
	return r.result.value;
}
// Puts FILES (paths) into the file input SELECTOR, as a user picking them.
async function setFiles(selector, files) {
	const { root } = await send('DOM.getDocument');
	const { nodeId } = await send('DOM.querySelector',
	    { nodeId: root.nodeId, selector });
	await send('DOM.setFileInputFiles', { nodeId, files });
}
async function click(selector) {
	const loaded = waitFor('Page.loadEventFired');
	await evaluate(`document.querySelector(${JSON.stringify(selector)})` +
	    '.click()');
	await loaded;
}
async function shot(name) {
	const r = await send('Page.captureScreenshot',
	    { format: 'png', captureBeyondViewport: true });
	const file = path.join(artifacts, name);
	fs.writeFileSync(file, Buffer.from(r.data, 'base64'));
	return fs.statSync(file).size > 1000;
}

// axe-core (tests/browser, npm ci by tests/run.sh), injected into each
// page; WCAG 2.1 A and AA rules.  Null when it is not installed.
const axePath = path.join(__dirname, '..', 'browser', 'node_modules',
    'axe-core', 'axe.min.js');
const axeSource = fs.existsSync(axePath) ?
    fs.readFileSync(axePath, 'utf8') : null;
async function a11y(name) {
	if (axeSource === null) {
		check(`${name}: axe-core is installed (npm ci --prefix ` +
		    'tests/browser)', false);
		return;
	}
	// axe-core needs timers: scripts on for its run only.
	await send('Emulation.setScriptExecutionDisabled', { value: false });
	await evaluate(axeSource);
	const r = await send('Runtime.evaluate', { expression:
	    "axe.run(document, { runOnly: { type: 'tag', values: " +
	    "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })" +
	    ".then((r) => r.violations.map((v) => v.id + ': ' + " +
	    "v.nodes.map((x) => x.target.join(' ')).join(', ')))",
	    awaitPromise: true, returnByValue: true });
	await send('Emulation.setScriptExecutionDisabled', { value: true });
	const v = r.result.value || ['axe.run failed'];
	for (const line of v)
		console.log(`# ${name}: ${line}`);
	check(`${name}: axe-core reports no WCAG 2.1 AA violation`,
	    v.length === 0);
}

let n = 0, failed = 0;
function check(desc, cond) {
	n++;
	if (!cond) failed++;
	console.log(`${cond ? 'ok' : 'not ok'} ${n} - ${desc}`);
}

async function main() {
	console.log('1..64');
	const { targetInfos } = await send('Target.getTargets', {}, null);
	const page = targetInfos.find((t) => t.type === 'page');
	({ sessionId: session } = await send('Target.attachToTarget',
	    { targetId: page.targetId, flatten: true }, null));
	await send('Page.enable');
	await send('Runtime.enable');
	await send('Network.enable');
	// The forms need no JavaScript: the page's own scripts stay off for
	// the whole run (the CSP allows none anyway); the test's evaluations
	// still run, as DevTools ones do.
	await send('Emulation.setScriptExecutionDisabled', { value: true });

	// A customer opens the link from her mail.
	await go(link);
	check('customer link opens the ticket list',
	    await evaluate("document.querySelectorAll('table.tickets " +
	    "tbody tr').length") >= 1);
	check('stylesheet applied under the CSP', await evaluate(
	    "getComputedStyle(document.querySelector('.top'))" +
	    ".backgroundColor") === 'rgb(20, 33, 61)');
	check('screenshot of the list', await shot('list.png'));
	await a11y('the list');
	await click('table.tickets tbody a[href$="/ticket/1"]');
	check('following a ticket opens its thread', await evaluate(
	    "location.pathname.endsWith('/ticket/1') && " +
	    "document.querySelectorAll('article.msg').length >= 2"));
	check('quoted history is folded (details closed)', await evaluate(
	    "!!document.querySelector('details') && " +
	    "!document.querySelector('details').open"));
	check('script payloads from mail stayed text', await evaluate(
	    "document.querySelectorAll('main script, main img').length " +
	    "=== 0 && document.body.textContent.includes('onerror')"));
	check('screenshot of the thread', await shot('thread.png'));
	await a11y('the thread');
	await evaluate("document.querySelector('input[name=rating]" +
	    "[value=\"5\"]').click(); document.querySelector('#comment')" +
	    ".value = 'Fixed within the hour, thanks!'");
	await click('section.rate button[type=submit]');
	check('submitted rating is shown', await evaluate(
	    "document.querySelector('section.rating') !== null && " +
	    "document.querySelector('section.rating').textContent" +
	    ".includes('5 / 5') && document.body.textContent" +
	    ".includes('Fixed within the hour')"));
	check('screenshot of the rated thread', await shot('thread-rated.png'));
	await a11y('the rated thread');

	// She opens a new ticket with an attachment, answers in it, closes
	// it and reopens it by writing again.
	const base = link.replace(/\?t=.*/, '').replace(/\/$/, '');
	await go(`${base}/new`);
	check('screenshot of the new-ticket page', await shot('new.png'));
	await a11y('the new-ticket page');
	const upload = path.join(userData, 'printer-log.txt');
	fs.writeFileSync(upload, 'E42 paper jam at tray 2\n');
	await setFiles('#new-files', [upload]);
	await evaluate("document.querySelector('#new-subject').value = " +
	    "'Tray 2 jams'; document.querySelector('#new-body').value = " +
	    "'Every second sheet jams, log attached.'; " +
	    "document.querySelector('#new-priority').value = 'major'; " +
	    "document.querySelector('#new-category').value = '2'; " +
	    "document.querySelector('form.new input[name=hotrush]')" +
	    ".checked = true");
	await click('form.new button[type=submit]');
	check('the new ticket opens, her attachment listed', await evaluate(
	    "/\\/ticket\\/\\d+$/.test(location.pathname) && " +
	    "document.body.textContent.includes('printer-log.txt') && " +
	    "document.body.textContent.includes('Every second sheet jams')"));
	const ddIs = (v) => "[...document.querySelectorAll('dd')]" +
	    `.some((d) => d.textContent.trim().startsWith('${v}'))`;
	check('... in the queue of her category, with the priority and ' +
	    'HotRush she chose', await evaluate(ddIs('billing') + " && " +
	    ddIs('major') + " && !!document.querySelector('.badge.hot')"));
	check('screenshot of her new ticket', await shot('new-ticket.png'));
	await a11y('her new ticket');
	await evaluate("document.querySelector('#post-body').value = " +
	    "'It happens with recycled paper only.'");
	const photo = path.join(userData, 'tray2-photo.txt');
	fs.writeFileSync(photo, 'a photo of tray 2, as text\n');
	await setFiles('#post-files', [photo]);
	await click('section.post button[type=submit]');
	check('her answer is in the thread', await evaluate(
	    "document.body.textContent.includes('recycled paper only')"));
	check('... with her file listed', await evaluate(
	    "[...document.querySelectorAll('ul.attachments a')]" +
	    ".some((a) => a.textContent === 'tray2-photo.txt')"));
	// Her ticket's properties: HotRush off and a lower priority, in one
	// form showing only what she may choose.
	check('her form offers switching HotRush off, not closed-only choices',
	    await evaluate("!!document.querySelector('section.change " +
	    "input[name=hotrush]') && ![...document.querySelectorAll(" +
	    "'section.change select[name=status] option')].some((o) => " +
	    "o.textContent === 'assigned')"));
	await evaluate("document.querySelector('section.change " +
	    "input[name=hotrush]').checked = true; document.querySelector(" +
	    "'section.change select[name=priority]').value = 'minor'");
	await click('section.change button[type=submit]');
	check('she switches HotRush off and lowers the priority', await evaluate(
	    ddIs('minor') + " && !document.querySelector('.badge.hot')"));
	await evaluate("document.querySelector('section.change " +
	    "select[name=status]').value = 'closed'");
	await click('section.change button[type=submit]');
	const statusIs = (v) => "[...document.querySelectorAll('dd')]" +
	    `.some((d) => d.textContent.trim() === '${v}')`;
	check('she closes it', await evaluate(statusIs('closed')));
	await evaluate("document.querySelector('#post-body').value = " +
	    "'Sorry, it jams again.'");
	await click('section.post button[type=submit]');
	check('writing again right after reopens it', await evaluate(
	    statusIs('reopened') + " && " +
	    "document.body.textContent.includes('jams again')"));
	// Closed again, and reopened with her form, within the window.
	await evaluate("document.querySelector('section.change " +
	    "select[name=status]').value = 'closed'");
	await click('section.change button[type=submit]');
	check('closed again, her form offers to reopen it', await evaluate(
	    statusIs('closed') + " && [...document.querySelectorAll(" +
	    "'section.change select[name=status] option')].some((o) => " +
	    "o.textContent === 'reopened')"));
	await evaluate("document.querySelector('section.change " +
	    "select[name=status]').value = 'reopened'");
	await click('section.change button[type=submit]');
	check('her form reopens it', await evaluate(statusIs('reopened')));

	// A ticket closed past the reopen window: only a follow-up request,
	// which opens a new ticket linked to it.
	const old = process.env.PD_OLD_TICKET;
	await go(`${base}/ticket/${old}`);
	check('closed past the window: a follow-up request, no status form',
	    await evaluate("!document.querySelector('section.change') && " +
	    "document.querySelector('section.post button').textContent" +
	    ".includes('follow-up')"));
	check('screenshot of the follow-up request',
	    await shot('follow-up.png'));
	await a11y('the follow-up request');
	await evaluate("document.querySelector('#post-body').value = " +
	    "'Same question for the P3000, please.'");
	await click('section.post button[type=submit]');
	check('her follow-up is a new ticket linked to the closed one',
	    await evaluate("/\\/ticket\\/\\d+$/.test(location.pathname) && " +
	    `!location.pathname.endsWith('/ticket/${old}') && ` +
	    "document.body.textContent.includes('P3000') && " +
	    "[...document.querySelectorAll('section.related a')]" +
	    `.some((a) => a.textContent.includes('#${old}'))`));

	// Her account page: the members and where her notifications go.
	await go(`${base}/account`);
	check('the account page lists her as the primary member', await
	    evaluate("[...document.querySelectorAll('section.members td')]" +
	    ".some((d) => d.textContent === 'primary') && " +
	    "!!document.querySelector('section.notify-address form')"));
	check('screenshot of the account page', await shot('account.png'));
	await a11y('the account page');

	// The phone layout: the list becomes cards.
	await send('Emulation.setDeviceMetricsOverride', { width: 390,
	    height: 844, deviceScaleFactor: 2, mobile: true });
	await go(link.replace(/\?t=.*/, ''));
	check('phone layout hides the table head', await evaluate(
	    "getComputedStyle(document.querySelector('table.tickets " +
	    "thead')).display") === 'none');
	check('screenshot of the list on a phone', await shot('list-phone.png'));
	await a11y('the list on a phone');
	await send('Emulation.clearDeviceMetricsOverride');

	// Staff, authenticated by the web server.
	await send('Network.setExtraHTTPHeaders', { headers: {
	    Authorization: 'Basic ' +
	    Buffer.from('alice:alicepw').toString('base64') } });
	await go(`${staffBase}/dashboard`);
	check('staff dashboard draws charts', await evaluate(
	    "document.querySelectorAll('svg rect').length") > 0);
	check('screenshot of the dashboard', await shot('dashboard.png'));
	await a11y('the dashboard');

	// Staff see the customer's session and sign her out (a CSRF form).
	await go(`${staffBase}/ticket/1`);
	check('staff see the requester\'s session', await evaluate(
	    "document.querySelectorAll('section.signins tbody tr')" +
	    ".length") >= 1);
	check('screenshot of the sessions', await shot('signins.png'));
	await a11y('the staff ticket page');
	await click('section.signins button[type=submit]');
	check('after sign-out no session is listed', await evaluate(
	    "location.pathname.endsWith('/ticket/1') && " +
	    "document.querySelectorAll('section.signins tbody tr')" +
	    ".length === 0"));
	// Staff answer with a canned reply, edited before sending.
	await click('p.canned a[href*="need-details"]');
	check('a canned reply fills the reply form with the ticket\'s values',
	    await evaluate("document.querySelector('#body').value" +
	    ".includes('thank you for your message about')"));
	await evaluate("document.querySelector('#body').value += " +
	    "'\\nAlso: which model is it?'");
	const manual = path.join(userData, 'tray-manual.txt');
	fs.writeFileSync(manual, 'How to clear tray 2\n');
	await setFiles('#reply-files', [manual]);
	await click('section.staff-reply button[type=submit]');
	check('the edited reply is in the thread as an outbound message',
	    await evaluate("[...document.querySelectorAll('article.msg.out')]" +
	    ".some((a) => a.textContent.includes('which model is it?'))"));
	check('... with the file staff attached', await evaluate(
	    "[...document.querySelectorAll('article.msg.out')]" +
	    ".some((a) => a.textContent.includes('tray-manual.txt'))"));
	// ... and a note, for staff eyes only.
	await evaluate("document.querySelector('#body').value = " +
	    "'Checked the warranty: still covered.'; " +
	    "document.querySelector('input[name=internal]').checked = true");
	await click('section.staff-reply button[type=submit]');
	check('the note is in the thread, marked internal', await evaluate(
	    "[...document.querySelectorAll('article.msg.internal')]" +
	    ".some((a) => a.textContent.includes('still covered'))"));
	check('screenshot of the staff desk', await shot('staff-desk.png'));
	await a11y('the staff desk after a reply and a note');
	// A rule's field, and a message too long to show whole.
	check('the custom field set by a rule is shown', await evaluate(
	    "[...document.querySelectorAll('dl.fields div')].some((d) => " +
	    "d.textContent.includes('product_version') && " +
	    "d.textContent.includes('4.2.1'))"));
	check('a message over max_message_view is cut, with a download',
	    await evaluate("!!document.querySelector('p.truncated a" +
	    "[href*=\"/text/\"]') && !document.body.textContent" +
	    ".includes('END OF LOG')"));
	check('... which gives the whole text as text/plain',
	    await evaluateAsync("fetch(document.querySelector(" +
	    "'p.truncated a').href).then((r) => r.text().then((t) => " +
	    "r.headers.get('content-type').startsWith('text/plain') && " +
	    "t.includes('END OF LOG')))"));
	check('screenshot of the cut message', await shot('truncated.png'));
	// Ticket 2: owner and status in one form (both at once, no 409),
	// a CC added and removed, a related ticket linked and unlinked.
	await go(`${staffBase}/ticket/2`);
	await evaluate("const f = document.querySelector('section." +
	    "staff-actions form'); f.querySelector('select[name=status]')" +
	    ".value = 'assigned'; f.querySelector('input[name=owner]')" +
	    ".value = 'alice@example.com'");
	await click('section.staff-actions button[type=submit]');
	check('owner and status set in one form apply together', await
	    evaluate("location.pathname.endsWith('/ticket/2') && " +
	    statusIs('assigned') + " && " + ddIs('alice@example.com')));
	await evaluate("document.querySelector('section.ccs form.filters " +
	    "input[name=address]').value = 'ops@b.example'");
	await click('section.ccs form.filters button[type=submit]');
	check('a CC added is listed', await evaluate(
	    "[...document.querySelectorAll('section.ccs li')]" +
	    ".some((l) => l.textContent.includes('ops@b.example'))"));
	check('screenshot of the CCs', await shot('staff-ccs.png'));
	await a11y('the staff ticket page with a CC');
	await click('section.ccs li button[type=submit]');
	check('... and removed', await evaluate(
	    "location.pathname.endsWith('/ticket/2') && " +
	    "![...document.querySelectorAll('section.ccs li')]" +
	    ".some((l) => l.textContent.includes('ops@b.example'))"));
	await evaluate("document.querySelector('section.link " +
	    `input[name=other]').value = '${old}'`);
	await click('section.link button[type=submit]');
	check('a related ticket linked is listed', await evaluate(
	    "[...document.querySelectorAll('section.related a')]" +
	    `.some((a) => a.textContent.includes('#${old}'))`));
	await click('section.related button[type=submit]');
	check('... and unlinked', await evaluate(
	    "!document.querySelector('section.related')"));
	// Merge ticket 2 into ticket 1: its page then leads to ticket 1.
	await evaluate("document.querySelector('section.merge " +
	    "input[name=into]').value = '1'");
	await click('section.merge button[type=submit]');
	check('merging ticket 2 into 1 lands on ticket 1 with its messages',
	    await evaluate("location.pathname.endsWith('/ticket/1') && " +
	    "document.body.textContent.includes('zebrafish')"));
	await go(`${staffBase}/ticket/2`);
	check('the merged ticket\'s page leads to the survivor', await evaluate(
	    "location.pathname.endsWith('/ticket/1')"));
	await send('Network.setExtraHTTPHeaders', { headers: {} });
	await go(link.replace(/\?t=.*/, ''));
	check('the customer\'s cookie no longer signs her in', await evaluate(
	    "document.querySelectorAll('table.tickets').length === 0 && " +
	    "document.body.textContent.includes('Open the link')"));
	await go(link);
	check('nor does the revoked link', await evaluate(
	    "document.body.textContent.includes('invalid or has expired')"));
}

const timer = setTimeout(() => {
	console.log('Bail out! browser test timed out');
	chrome.kill();
	process.exit(1);
}, 300000);
main().then(() => {
	clearTimeout(timer);
	chrome.kill();
	process.exit(failed ? 1 : 0);
}, (e) => {
	console.log(`Bail out! ${e.message}`);
	chrome.kill();
	process.exit(1);
});

// Generate tests/data/segments_oracle.json with Twilio's open-source SMS
// segment calculator (npm "sms-segments-calculator", smart encoding OFF).
//
// Committed for provenance; the test suite never runs it (no network, no node).
//
//   mkdir /tmp/oracle && cd /tmp/oracle && npm init -y
//   npm install sms-segments-calculator@1.3.0      # pulls grapheme-splitter@1.0.4
//   node /work/main/tests/data/make_segments_oracle.mjs > /work/main/tests/data/segments_oracle.json
//
//   # the grapheme-break property runs embedded in mfanalytics/messages/gsm7.py:
//   node /work/main/tests/data/make_segments_oracle.mjs --grapheme-table
//
// Run it from the directory that holds node_modules.  The corpus is built here,
// deterministically (seeded PRNG), so the output is reproducible.

import { createRequire } from 'module';
import path from 'path';

const require = createRequire(path.join(process.cwd(), 'package.json'));
const { SegmentedMessage } = require('sms-segments-calculator');
const calcVersion = require('sms-segments-calculator/package.json').version;
const splitterVersion = require('grapheme-splitter/package.json').version;

if (process.argv.includes('--grapheme-table')) {
  // Expose grapheme-splitter's private getGraphemeBreakProperty and dump its runs.
  const fs = require('fs');
  const src = fs.readFileSync(require.resolve('grapheme-splitter'), 'utf8');
  const patched = src.replace(/return this;\r?\n}/, 'this.prop = getGraphemeBreakProperty; return this;\n}');
  const mod = { exports: {} };
  new Function('module', patched)(mod);
  const g = new mod.exports();
  const runs = [];
  let prev = -1;
  for (let c = 0; c <= 0x10ffff; c++) {
    const p = g.prop(c);
    if (p !== prev) { runs.push(c.toString(16) + ':' + p.toString(36)); prev = p; }
  }
  const lines = [];
  for (let i = 0; i < runs.length; i += 12) lines.push(runs.slice(i, i + 12).join(' '));
  console.log(lines.join('\n'));
  process.exit(0);
}

// mulberry32: tiny deterministic PRNG
function rng(seed) {
  return function () {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(20261129);
const pick = (arr) => arr[Math.floor(rand() * arr.length)];
const rep = (s, n) => s.repeat(Math.max(0, n));

const corpus = [];
const add = (t) => corpus.push(t);

// --- hand-picked messages -------------------------------------------------
add('');
add('a');
add('Bonjour ${PRENOM}, votre colis est disponible. STOP 36184');
add('Ceci est un test SMS envoyé avec l\'API Mediasflow.');
add('Soldes d\'été : -50% sur tout le magasin ! Rendez-vous à Paris.');
add('Leçon de français'); // ç is not GSM-7
add('Ça va ? Ça commence demain.'); // Ç is GSM-7
add('Fête de la crème brûlée à l\'hôtel, maïs et œufs'); // ê û ô ï œ
add('Prix : 10€, {promo} [code] ~tilde~ back\\slash ^caret^ pipe|pipe');
add('Form\ffeed');
add('Ligne 1\nLigne 2\r\nLigne 3\rLigne 4');
add('“Guillemets” ‘simples’ « français » — tiret – court… points');
add('Espace\u00a0insécable et fine\u202finsécable ; ok');
add('Emoji 😀 simple');
add('Famille 👨‍👩‍👧‍👦 ZWJ');
add('Dev 👩🏽‍💻 et drapeau 🏳️‍🌈');
add('Drapeaux 🇫🇷🇩🇪🇮🇹🇪🇸');
add('Pouce 👍🏻👍🏿 coeur ❤️ clavier 1️⃣ #️⃣');
add('中文短信测试');
add('한국어 문자 메시지');
add('Combining e\u0301 a\u0300 o\u0302');
add('Ελληνικά ΓΔΘΛΞΠΣΦΨΩ');
add('ΓΔΘΛΞΠΣΦΨΩ αβγ');
add('`backtick`');
add('@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà');

// --- GSM-7 length boundaries ----------------------------------------------
for (const n of [1, 152, 153, 154, 159, 160, 161, 305, 306, 307, 459, 460, 612, 613, 765, 766, 918, 919, 1071, 1072, 1200]) add(rep('a', n));
// extension characters at and around segment boundaries
for (const ext of ['€', '{', '}', '[', ']', '~', '\\', '^', '|', '\f']) {
  for (const k of [150, 151, 152, 153, 154, 158, 159, 160]) add(rep('a', k) + ext + rep('b', 170 - k));
  for (const k of [303, 304, 305, 306]) add(rep('a', k) + ext + rep('b', 20));
}
add(rep('€', 80));
add(rep('€', 81));
add(rep('{', 77) + 'a');
add(rep('a', 152) + rep('€', 5) + rep('a', 150));
add(rep('€', 153));
add(rep('€', 459));

// --- UCS-2 boundaries -----------------------------------------------------
for (const n of [1, 66, 67, 68, 69, 70, 71, 133, 134, 135, 201, 202, 402, 403]) add(rep('ê', n));
for (const n of [69, 70, 71, 134, 135]) add(rep('中', n));
// surrogate pairs at 66/67/68 and 70/71
for (const k of [64, 65, 66, 67, 68, 69, 70]) {
  add(rep('x', k) + '😀' + rep('y', 10));
  add(rep('x', k) + '😀');
  add('ç' + rep('x', k - 1) + '😀' + rep('y', 80));
}
for (const k of [130, 131, 132, 133, 134]) add(rep('x', k) + '😀' + rep('y', 10));
add(rep('😀', 35));
add(rep('😀', 36));
add(rep('😀', 100));
// grapheme clusters straddling the 67-unit boundary
for (const k of [58, 60, 62, 63, 64, 65, 66, 67]) {
  add(rep('x', k) + '👨‍👩‍👧‍👦' + rep('y', 20));
  add(rep('x', k) + '🇫🇷' + rep('y', 20));
  add(rep('x', k) + '👍🏽' + rep('y', 20));
  add(rep('x', k) + 'e\u0301\u0327' + rep('y', 20));
  add(rep('x', k) + '❤️' + rep('y', 20));
  add(rep('x', k) + '1️⃣' + rep('y', 20));
}
// quirky grapheme-splitter contexts (emoji modifier / regional indicator after
// Extend, ZWJ or Prepend) at the 67-unit boundary
for (const k of [58, 60, 61, 62, 63, 64, 65, 66]) {
  for (const mid of ['👍\u0301🏼', '👍\u0301\u0301🏼', '\u200dx\u200d👨\u0301🏼', '🇫x👨\ufe0f🏼',
    'ê\u200d👍\u0301🏼ê', '🇫🇷\u0301\u0301', '🇫🇷\u200d👨', '\u0600🇫🇷🇩🇪', '👨\u200d👩🏼', '🏼🏼']) {
    add(rep('x', k) + mid + rep('y', 134 - k - mid.length));
  }
}
// huge clusters: the oracle moves a cluster popped from part 1 into part 2
// without checking that the next character still fits
for (const [k, m, n] of [[3, 66, 67], [3, 66, 66], [1, 68, 70], [10, 59, 67], [20, 49, 67], [30, 39, 80], [36, 33, 67], [5, 64, 135]]) {
  add(rep('x', k) + 'a' + rep('\u0301', m) + 'y' + rep('z', n));
}
add(rep('🇫🇷', 40));
add('x' + rep('🇫🇷', 20) + '🇩' + rep('y', 40));
add(rep('👍🏻', 30));
add('a' + rep('\u0301', 80)); // one huge grapheme cluster
add(rep('x', 50) + 'a' + rep('\u0301', 40) + rep('y', 10));
add(rep('x', 10) + '\u0600' + rep('y', 70)); // Prepend
add(rep('각', 30) + '\u1100\u1161\u11a8' + rep('한', 40)); // Hangul L V T
add(rep('ê', 60) + '\r\n' + rep('ê', 20));

// --- realistic campaign-like messages ---------------------------------------
const words = ['Bonjour', 'votre', 'commande', 'est', 'prête', 'chez', 'nous', 'profitez', 'de', '-20%',
  'sur', 'la', 'collection', 'été', 'à', 'partir', 'du', '12/07', 'code', 'PROMO', 'valable', 'jusqu\'au',
  'dimanche', 'magasin', 'Paris', 'Lyon', 'rendez-vous', 'le', 'STOP', '36184', 'merci', 'client', 'fidèle',
  'offre', 'exclusive', 'livraison', 'gratuite', 'dès', '50€', 'achat', 'info:', 'https://1mf.eu/AbCdEfG'];
const accents = ['ê', 'â', 'ç', 'ô', 'î', 'û', 'ë', 'ï', 'œ', 'É', 'Ç'];
const emojis = ['😀', '🎉', '❤️', '👍', '👍🏼', '🇫🇷', '👨‍👩‍👧', '🔥', '✨', '🛍️', '1️⃣'];
function sentence(nwords) {
  const out = [];
  for (let i = 0; i < nwords; i++) out.push(pick(words));
  return out.join(' ');
}
for (let i = 0; i < 80; i++) {
  let s = sentence(3 + Math.floor(rand() * 120));
  const r = rand();
  if (r < 0.25) s = s.replace(/ /, ' ' + pick(accents));
  else if (r < 0.45) s += ' ' + pick(emojis);
  else if (r < 0.55) s += ' {' + pick(words) + '} [' + pick(words) + ']';
  add(s);
}

// --- random strings over a mixed alphabet ------------------------------------
const alphabet = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:!?\'"@£$¥èéùìòÇØøÅåΔ_ÄÖÑÜ§¿äöñüà\n',
  '€', '{', '}', '[', ']', '~', '\\', '^', '|',
  'ç', 'ê', 'â', 'œ', '’', '…', '\u00a0', '中', '한', 'Ж',
  '😀', '🎉', '\u0301', '\u200d', '\ufe0f', '🏽', '🇫', '🇷', '👩', '❤', '\r', '\u0600', '\u1100', '\u1161', '\u11a8',
];
for (let i = 0; i < 220; i++) {
  const mode = rand();
  let pool = alphabet;
  if (mode < 0.4) pool = alphabet.slice(0, 100); // mostly GSM basic
  else if (mode < 0.6) pool = alphabet.slice(0, 110); // GSM with extension
  const n = Math.floor(rand() * (i < 200 ? 500 : 1100));
  let s = '';
  for (let j = 0; j < n; j++) s += pick(pool);
  add(s);
}

const out = corpus.map((text) => {
  const m = new SegmentedMessage(text, 'auto', false);
  return {
    text,
    encoding: m.encodingName,
    segments: m.segmentsCount,
    numberOfCharacters: m.numberOfCharacters,
    utf16Units: text.length,
    graphemes: m.graphemes.length,
    nonGsm: m.getNonGsmCharacters(),
  };
});
process.stdout.write(JSON.stringify({
  generator: 'tests/data/make_segments_oracle.mjs',
  library: `sms-segments-calculator@${calcVersion} (grapheme-splitter@${splitterVersion}), smartEncoding=false`,
  count: out.length,
  messages: out,
}, null, 0).replace(/\},\{"text"/g, '},\n{"text"') + '\n');

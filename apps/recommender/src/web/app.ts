// The web page served by `recommender serve`: search and rate movies as a visitor (a new user id kept in
// localStorage), see recommendations folded in from those ratings, and the movies similar to each.

interface Movie { id: number; title: string; year: number | null; genres: string[]; score?: number }

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const label = (movie: Movie) => (movie.year === null ? movie.title : `${movie.title} (${movie.year})`);

function visitorId(): number {
  const stored = Number(localStorage.getItem('dendrite-visitor'));
  if (Number.isInteger(stored) && stored > 0) return stored;
  // Far above MovieLens' user ids, so a visitor starts with no history (the cold start).
  const fresh = 1_000_000 + Math.floor(Math.random() * 1_000_000_000);
  localStorage.setItem('dendrite-visitor', String(fresh));
  return fresh;
}

const user = visitorId();
const myRatings = new Map<number, { movie: Movie; rating: number }>();

async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(path, init);
  const body = await response.json();
  if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
  return body as T;
}

function element(tag: string, text = '', className = ''): HTMLElement {
  const node = document.createElement(tag);
  if (text) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function stars(movie: Movie): HTMLElement {
  const box = element('span', '', 'stars');
  const current = myRatings.get(movie.id)?.rating ?? 0;
  for (let value = 1; value <= 5; value++) {
    const button = element('button', `${value}★`, value <= current ? 'on' : '') as HTMLButtonElement;
    button.title = `rate ${value}`;
    button.dataset.rate = String(value);
    button.addEventListener('click', () => void rate(movie, value));
    box.append(button);
  }
  return box;
}

function movieLine(movie: Movie): HTMLElement {
  const line = element('li');
  line.dataset.movie = String(movie.id);
  line.append(element('span', label(movie), 'title'), ' ', element('span', movie.genres.join(', '), 'meta'), ' ', stars(movie));
  return line;
}

async function search(query: string): Promise<void> {
  const results = byId<HTMLUListElement>('results');
  if (query.trim() === '') { results.replaceChildren(); return; }
  try {
    const { items } = await api<{ items: Movie[] }>(`/items?search=${encodeURIComponent(query)}&limit=8`);
    results.replaceChildren(...(items.length ? items.map(movieLine) : [element('li', 'no movie matches', 'meta')]));
  } catch (error) {
    results.replaceChildren(element('li', (error as Error).message, 'meta'));
  }
}

async function rate(movie: Movie, rating: number): Promise<void> {
  await api(`/users/${user}/ratings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ratings: [{ item: movie.id, rating }] }) });
  myRatings.set(movie.id, { movie, rating });
  const rated = byId<HTMLUListElement>('rated');
  rated.replaceChildren(...Array.from(myRatings.values(), ({ movie: ratedMovie, rating: value }) => {
    const line = element('li', `${label(ratedMovie)} `);
    line.append(element('span', '★'.repeat(value), 'meta'));
    return line;
  }));
  for (const line of Array.from(document.querySelectorAll<HTMLElement>('#results li[data-movie]'))) {
    if (Number(line.dataset.movie) === movie.id) line.querySelector('.stars')!.replaceWith(stars(movie));
  }
  await refresh();
}

async function refresh(): Promise<void> {
  const status = byId('status');
  status.textContent = 'updating…';
  const answer = await api<{ source: string; items: Movie[] }>(`/users/${user}/recommendations?k=10`);
  const list = byId<HTMLUListElement>('recommendations');
  list.replaceChildren(...answer.items.map((movie) => {
    const line = element('li');
    line.dataset.movie = String(movie.id);
    line.append(element('span', movie.score!.toFixed(3), 'score'), element('span', label(movie), 'title'), ' ', element('span', movie.genres.join(', '), 'meta'));
    const similar = element('ul', '', 'similar');
    similar.append(element('li', 'similar: …', 'meta'));
    line.append(similar);
    void api<{ items: Movie[] }>(`/items/${movie.id}/similar?k=3`).then(({ items }) => {
      similar.replaceChildren(element('li', `similar: ${items.map(label).join(' · ')}`));
    }, () => similar.replaceChildren());
    return line;
  }));
  status.textContent = answer.source === 'popularity'
    ? 'Most watched movies (rate a few you like to personalise)'
    : `Personalised from your ${myRatings.size} rating${myRatings.size === 1 ? '' : 's'} (folded into the model, no retraining)`;
  status.dataset.source = answer.source;
}

async function start(): Promise<void> {
  const health = await api<{ model: string; dataset: string; users: number; items: number; ratings: number }>('/health');
  byId('model').textContent = `${health.model} on MovieLens ${health.dataset}: ${health.users} users, ${health.items} movies, ${health.ratings} ratings · you are visitor ${user}`;
  let timer: ReturnType<typeof setTimeout> | undefined;
  byId<HTMLInputElement>('search').addEventListener('input', (event) => {
    clearTimeout(timer);
    const query = (event.target as HTMLInputElement).value;
    timer = setTimeout(() => void search(query), 150);
  });
  await refresh();
}

void start();

import type { MovieTable } from '@dendrite/datasets';

/** One movie as the app shows it: MovieLens id, title without its "(year)" suffix, year, genres. */
export interface Movie {
  id: number;
  title: string;
  year: number | null;
  genres: string[];
}

const YEAR_SUFFIX = /\s*\((\d{4})\)\s*$/;

/**
 * The movies of a MovieLens release, by MovieLens id, with a case-insensitive title search.
 * Titles come from u.item (ML-100K) or movies.dat (ML-1M); the year is the title's "(1995)" suffix,
 * else the release date's year.
 */
export class MovieCatalog {
  private readonly byId = new Map<number, Movie>();

  constructor(readonly movies: readonly Movie[]) {
    for (const movie of movies) this.byId.set(movie.id, movie);
  }

  /** From a loaded MovieLens release's movie table. */
  static fromMovieTable(table: MovieTable): MovieCatalog {
    return new MovieCatalog(Array.from(table.ids, (id, row) => {
      const written = table.titles[row].trim();
      const match = YEAR_SUFFIX.exec(written);
      const released = /(\d{4})$/.exec(table.releaseDates?.[row] ?? '');
      const year = match ? Number(match[1]) : released ? Number(released[1]) : null;
      return { id, title: match ? written.slice(0, match.index).trim() : written, year, genres: table.genres[row] };
    }));
  }

  get size(): number {
    return this.movies.length;
  }

  get(id: number): Movie | undefined {
    return this.byId.get(id);
  }

  /** "Star Wars (1977)", or "movie 1234" for an id the catalogue lacks. */
  label(id: number): string {
    const movie = this.byId.get(id);
    if (!movie) return `movie ${id}`;
    return movie.year === null ? movie.title : `${movie.title} (${movie.year})`;
  }

  /** Movies whose title contains every word of `query` (case-insensitive), at most `limit`, in catalogue order. */
  search(query: string, limit = 20): Movie[] {
    const words = query.toLowerCase().split(/\s+/).filter((word) => word.length > 0);
    const found: Movie[] = [];
    for (const movie of this.movies) {
      if (found.length >= limit) break;
      const haystack = `${movie.title} ${movie.year ?? ''}`.toLowerCase();
      if (words.every((word) => haystack.includes(word))) found.push(movie);
    }
    return found;
  }
}

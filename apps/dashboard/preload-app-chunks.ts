import type { Plugin } from 'vite';

interface ChunkLike {
  type: 'chunk' | 'asset';
  fileName: string;
  imports?: readonly string[];
  dynamicImports?: readonly string[];
  viteMetadata?: { importedCss: Set<string> };
}

/**
 * Adds `<link rel="modulepreload">` (and stylesheet preloads) to index.html for every chunk the
 * entry script imports dynamically, with their static imports: the entry stays tiny so the first
 * page's API requests start early, and without these links the browser asks for the app's chunks
 * only once the entry has run. With them, the preload scanner fetches (and compiles) them while
 * the HTML is still parsed, in parallel with the entry.
 * @example
 * defineConfig({ plugins: [react(), preloadAppChunks()] });
 */
export function preloadAppChunks(): Plugin {
  return {
    name: 'tinysphere-preload-app-chunks',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const bundle = (ctx.bundle ?? {}) as Record<string, ChunkLike>;
        const entry = ctx.chunk as ChunkLike | undefined;
        if (!entry) return [];
        const files = new Set<string>();
        const visit = (name: string) => {
          if (files.has(name) || name === entry.fileName) return;
          files.add(name);
          for (const dep of bundle[name]?.imports ?? []) visit(dep);
        };
        for (const name of entry.dynamicImports ?? []) visit(name);
        const css = [...files].flatMap((f) => [...(bundle[f]?.viteMetadata?.importedCss ?? [])]);
        const link = (rel: string, href: string, as?: string) => ({
          tag: 'link',
          attrs: { rel, href: `/${href}`, crossorigin: true, ...(as ? { as } : {}) },
          injectTo: 'head' as const,
        });
        return [...[...files].map((f) => link('modulepreload', f)), ...css.map((f) => link('preload', f, 'style'))];
      },
    },
  };
}

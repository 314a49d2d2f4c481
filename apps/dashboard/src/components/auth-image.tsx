import { useQuery } from '@tanstack/react-query';
import { readToken } from '../lib/session-token';

/**
 * An image from the people API (which needs the bearer token, so a plain <img src> cannot load
 * it): fetched once, cached as an object URL.
 */
export function AuthImage(props: { path: string; alt: string; className?: string }) {
  const q = useQuery({
    queryKey: ['image', props.path],
    queryFn: async () => {
      const res = await fetch(props.path, { headers: { authorization: `Bearer ${readToken() ?? ''}` } });
      if (!res.ok) throw new Error(`image ${res.status}`);
      return URL.createObjectURL(await res.blob());
    },
    staleTime: Infinity,
    gcTime: 10 * 60_000,
    refetchInterval: false,
    retry: false,
  });
  const cls = `thumb ${props.className ?? ''}`;
  if (q.data) return <img src={q.data} alt={props.alt} className={cls} />;
  return (
    <div className={cls} role="img" aria-label={props.alt}>
      {q.isError ? 'no image' : '…'}
    </div>
  );
}

/** A failure the user should read, announced to screen readers; nothing when there is none. */
export function ErrorMessage({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p role="alert" className="error">
      {error}
    </p>
  );
}

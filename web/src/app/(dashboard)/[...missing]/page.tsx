import { notFound } from 'next/navigation';

// Any path the dashboard does not have: the 404 page, inside the app shell (navigation and demo
// controls stay), with a 404 status.
export default function Missing() {
  notFound();
}

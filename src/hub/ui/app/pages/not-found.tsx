import { PageHeader } from '../components/ui';
import { Link } from '../router';

export function NotFound() {
  return (
    <>
      <PageHeader title="Not found" />
      <p>
        This page does not exist. <Link to="/">Go to the dashboard.</Link>
      </p>
    </>
  );
}

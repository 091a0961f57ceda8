'use client';
import type { ReactNode } from 'react';
import { CoreProvider } from '@/components/CoreProvider';
import { DemoWorkerProvider } from '@/components/DemoWorker';
import { AppShell } from '@/components/AppShell';

export default function DashboardLayout({ children }: { children: ReactNode }) {
  return (
    <CoreProvider>
      <DemoWorkerProvider>
        <AppShell>{children}</AppShell>
      </DemoWorkerProvider>
    </CoreProvider>
  );
}

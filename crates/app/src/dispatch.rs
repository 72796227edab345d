//! The one dispatch: each command of the table, and the connection or task it runs on. Reads
//! go through the engine's read connections (one each, none waiting for another; counts split
//! across several), the table's pages through their own (and the rows it reads ahead of the
//! screen through another, so that those on screen never wait behind them), writes through
//! its writer (where waiting for another writer holds up no read), long work through the task
//! runner.

use invlog_core::{
    columns, connections, detail, export::schedule, failures, ingest, kits, layout, query, resolve,
    samples, stock_check, stock_history, views, CoreError, Result,
};

use std::sync::{Arc, Mutex};

use invlog_core::store::{turns, Store};

use crate::api::{ColumnInfo, NamedView, Request, Response};
use crate::connectors::saved;
use crate::counts;
use crate::engine::Engine;
use crate::error::AppError;
use crate::runner::TaskKind;
use crate::tasks;

impl Engine {
    /// Runs one command, calling `on_wait` whenever it (or a task it started) waits for
    /// another process writing to the store: a CLI says so instead of seeming to hang.
    pub fn dispatch_watching(
        &self,
        request: Request,
        on_wait: Arc<dyn Fn() + Send + Sync>,
    ) -> Result<Response, AppError> {
        let said = on_wait.clone();
        let listener = self
            .tasks()
            .listen(Arc::new(move |t: &crate::runner::Task| {
                if t.waiting.is_some() {
                    said();
                }
                true
            }));
        let outcome = turns::while_waiting(move || on_wait(), || false, || self.dispatch(request));
        self.tasks().unlisten(listener);
        outcome
    }

    /// Runs one command of the command table.
    pub fn dispatch(&self, request: Request) -> Result<Response, AppError> {
        dispatch(self, request).map_err(AppError::from)
    }
}

fn dispatch(engine: &Engine, request: Request) -> Result<Response> {
    // Each arm picks its connection; `read` and `write` name the two.
    let read = || engine.store();
    let write = || engine.writer();
    Ok(match request {
        Request::Columns => Response::Columns(
            columns::COLUMNS
                .iter()
                .map(|c| ColumnInfo {
                    column: c.clone(),
                    aliases: invlog_core::ingest::formats::source_labels(c),
                })
                .collect(),
        ),
        Request::DefaultColumns => {
            let sources = invlog_core::ingest::sources_in_store(read()?.conn())?;
            let ids = columns::defaults_for(&sources);
            Response::DefaultColumns(ids.into_iter().map(str::to_owned).collect())
        }
        Request::Query(q) => Response::Query(query_view(engine, engine.table(), &q)?),
        Request::RowsAhead(r) => Response::RowsAhead(
            engine
                .rows_ahead()
                .read(r.ticket.as_deref(), |on| query_view(engine, on, &r.page))?,
        ),
        Request::TakeBackRowsAhead { ticket } => {
            engine.rows_ahead().take_back(&ticket);
            Response::TakeBackRowsAhead
        }
        Request::Facets(f) => Response::Facets(counts::facets(engine, &f)?),
        Request::Timeline(r) => Response::Timeline(counts::timeline(engine, r)?),
        Request::KitLog(r) => Response::KitLog(kits::log(&*read()?, &r.view, r.reveal_secrets)?),
        Request::Entry(e) => Response::Entry(Box::new(detail::get(&*read()?, &e)?)),
        Request::StockHistory(r) => Response::StockHistory(stock_history::get(&*read()?, &r)?),
        Request::Failures(r) => Response::Failures(failures::get(read()?.conn(), &r)?),
        Request::StockCheck(r) => Response::StockCheck(stock_check::get(read()?.conn(), &r)?),
        Request::About => {
            let store = read()?;
            Response::About(crate::api::About {
                version: env!("CARGO_PKG_VERSION").to_owned(),
                store: store.path().map(|p| p.display().to_string()),
                schema: store
                    .conn()
                    .pragma_query_value(None, "user_version", |r| r.get(0))?,
            })
        }
        Request::Formats => Response::Formats(ingest::formats::list()),
        Request::Detect { paths } => {
            Response::Detect(paths.iter().map(|p| ingest::detect_file(p)).collect())
        }

        Request::Import(i) => Response::Import(tasks::import::run_and_wait(engine, i)?),
        Request::StartImport(i) => Response::StartImport(tasks::import::start(engine, i)?.1),
        Request::Imports => Response::Imports(ingest::history::imports(&*read()?)?),
        Request::ImportErrors { import_id } => {
            Response::ImportErrors(ingest::history::import_errors(&*read()?, import_id)?)
        }
        Request::ImportRemovalPlan { import_id } => {
            Response::ImportRemovalPlan(ingest::removal::plan(&*read()?, import_id)?)
        }
        Request::RemoveImport {
            import_id,
            confirmed,
        } => Response::RemoveImport(ingest::removal::remove(&mut write(), import_id, confirmed)?),
        Request::Doctor => Response::Doctor(invlog_core::identity::duplicates(read()?.conn(), 20)?),
        Request::LoadSamples => Response::LoadSamples(samples::load(&mut write())?),
        Request::Jobs => Response::Jobs(tasks::import::list(engine, 50)?),
        Request::Job { id } => Response::Job(tasks::import::get(engine, id)?),
        Request::CancelJob { id } => Response::CancelJob(tasks::import::cancel(engine, id)?),

        Request::Export(r) => Response::Export(tasks::export::run_and_wait(engine, r)?),
        Request::StartExport(r) => {
            Response::StartExport(tasks::export::start(engine, r, TaskKind::Export)?.1)
        }
        Request::Exports => Response::Exports(tasks::export::list(engine)?),
        Request::CancelExport { id } => Response::CancelExport(tasks::export::cancel(engine, id)?),
        Request::RemoveExport { id, delete_file } => {
            tasks::export::remove(engine, id, delete_file)?;
            Response::RemoveExport
        }
        Request::ExportFolder => Response::ExportFolder(
            dirs::download_dir()
                .or_else(dirs::home_dir)
                .unwrap_or_else(|| ".".into())
                .display()
                .to_string(),
        ),
        Request::Schedules => Response::Schedules(schedule::list(&*read()?)?),
        Request::AddSchedule(n) => Response::AddSchedule(schedule::add(&write(), &n)?),
        Request::RemoveSchedule { id } => {
            schedule::remove(&write(), id)?;
            Response::RemoveSchedule
        }

        Request::Rerun(r) => Response::Rerun(tasks::rerun::run(engine, &r)?),
        Request::Tasks => Response::Tasks(engine.tasks().list()),
        Request::CancelTask { id } => Response::CancelTask(Box::new(
            engine
                .tasks()
                .cancel(id)
                .ok_or_else(|| CoreError::NotFound(format!("no task #{id}")))?,
        )),

        Request::Connections => Response::Connections(connections::list(&*read()?)?),
        Request::ConnectionKinds => Response::ConnectionKinds(connections::kinds()),
        Request::AddConnection { connection, secret } => {
            Response::AddConnection(saved::add(engine, &connection, &secret)?)
        }
        Request::EditConnection {
            name,
            connection,
            secret,
        } => Response::EditConnection(saved::edit(engine, &name, &connection, secret.as_ref())?),
        Request::RemoveConnection { name } => {
            saved::remove(engine, &name)?;
            Response::RemoveConnection
        }
        Request::TestConnection { name } => {
            Response::TestConnection(tasks::pull::test(engine, &name)?)
        }
        Request::StartPull { name } => {
            Response::StartPull(Box::new(tasks::pull::start(engine, &name, false)?.0))
        }
        Request::Pull { names } => Response::Pull(tasks::pull::run_and_wait(engine, &names)?),
        Request::Pulls { connection } => {
            let id = match connection {
                Some(name) => Some(connections::get(&*read()?, &name)?.id),
                None => None,
            };
            Response::Pulls(connections::pulls(&*read()?, id, 100)?)
        }

        Request::LoadLayout => Response::LoadLayout(layout::load(&*read()?)?),
        Request::SaveLayout(l) => {
            layout::save(&write(), &l)?;
            Response::SaveLayout
        }
        Request::Views => Response::Views(views::list(&*read()?)?),
        Request::View { name } => {
            let (view, spec) = views::find(&*read()?, &name)?;
            Response::View(Box::new(NamedView { view, spec }))
        }
        Request::SaveView { name, layout } => {
            Response::SaveView(views::save(&write(), &name, &layout)?)
        }
        Request::DeleteView { id } => {
            views::delete(&write(), &id)?;
            Response::DeleteView
        }

        Request::SetResolved(r) => {
            Response::SetResolved(resolve::set(&mut write(), &r, &resolve::current_user())?)
        }
        Request::SetResolvedView(r) => Response::SetResolvedView(resolve::set_view(
            &mut write(),
            &r,
            &resolve::current_user(),
        )?),
        Request::Resolutions { entry_id } => {
            Response::Resolutions(resolve::history(&*read()?, entry_id)?)
        }

        Request::Kits => Response::Kits(kits::list(&*read()?)?),
        Request::Kit { kit_sku } => Response::Kit(kits::summary(&*read()?, &kit_sku)?),
        Request::SetKitComponent(r) => {
            Response::SetKitComponent(kits::set_component(&write(), &r)?)
        }
        Request::RemoveKitComponent {
            kit_sku,
            component_sku,
        } => {
            kits::remove_component(&write(), &kit_sku, &component_sku)?;
            Response::RemoveKitComponent
        }
        Request::RemoveKit { kit_sku } => {
            kits::remove(&write(), &kit_sku)?;
            Response::RemoveKit
        }
    })
}

/// A page of a view, read on `on`. An undefined kit is a mistake to name, not an empty log.
fn query_view(
    engine: &Engine,
    on: &Mutex<Store>,
    req: &query::QueryRequest,
) -> Result<query::QueryResponse> {
    if let Some(kit) = &req.view.kit {
        kits::get(&*engine.store()?, &kit.kit_sku)?;
    }
    let page = engine
        .pages()
        .page(engine.table(), on, req, &counts::ViewCounts(engine))?;
    counts::warm(engine);
    Ok(page)
}
